// Package cvthreads sets how many threads OpenCV's own pool uses.
//
// gocv v0.31 has no binding for cv::setNumThreads. Workers that already run
// one per core must stop OpenCV spawning its own threads on top, or the two
// pools fight over the same cores.
package cvthreads

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: -std=c++11
#include "cvthreads.h"
*/
import "C"

// Set sets OpenCV's thread count for the whole process; 0 restores the default.
func Set(n int) { C.anpr_set_num_threads(C.int(n)) }

// Get reports OpenCV's current thread count.
func Get() int { return int(C.anpr_get_num_threads()) }
