/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" { int omp_get_thread_num(void); int omp_get_num_threads(void); double omp_get_wtime(void); }
