#include "experiments/config.hpp"
