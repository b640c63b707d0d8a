#include <opencv2/core.hpp>
#include "cvthreads.h"

void anpr_set_num_threads(int n) { cv::setNumThreads(n); }
int anpr_get_num_threads(void) { return cv::getNumThreads(); }
