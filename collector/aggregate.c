#include "correlate.h"
