// OpenBLAS's CBLAS interface (Debian libopenblas-dev). Its cblas.h also declares
// openblas_set_num_threads / openblas_get_num_threads, which the Kernels module uses.
#include <cblas.h>
