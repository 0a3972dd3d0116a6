#include "cwarmlane.h"
