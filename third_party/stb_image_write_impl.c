/* The implementation of libstb-dev's PNG writer for builds that cannot link Debian's libstb
   (the Windows cross build). */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
