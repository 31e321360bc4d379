template <typename T>
__global__ void fill(T *a, T v, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) a[i] = v;
}
template <typename T>
__global__ void never_used(T *a) { a[0] = T(1); }
static void launch_fill(float *a, int n) { fill<<<1, 32>>>(a, 1.0f, n); }
