// A wire file that reaches up into core: the layer check must reject this tree.
#include "wire/bytes.h"
#include "core/model.h"
