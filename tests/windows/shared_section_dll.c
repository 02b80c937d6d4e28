/* A DLL with a shared data section (IMAGE_SCN_MEM_SHARED), as the "DLL shared data" technique
   builds it: every process that loads this DLL sees the same pages of .ipcshr. */

__attribute__((section(".ipcshr"), shared)) volatile int ipcscope_shared_counter = 1;
__attribute__((section(".ipcshr"), shared)) volatile char ipcscope_shared_block[8192] = {1};

__declspec(dllexport) int ipcscope_shared_touch(void) {
    ipcscope_shared_block[1] = 1;
    return ++ipcscope_shared_counter;
}
