#include <cuda/pipeline>
#include <cstring>
struct packed { uint4 x, y; };
__device__ packed pack(const unsigned *v) {
  unsigned r[8];
  for (int i = 0; i < 8; i++) r[i] = v[i] * 2u;
  packed out;
  memcpy(&out, r, sizeof(out));
  return out;
}
#define B 8
__global__ void tiles(float *out, const float *in, packed *pk, const unsigned *v, int *z) {
  __shared__ alignas(alignof(float4)) float s[2][B][4];
  const auto shape = cuda::aligned_size_t<alignof(float4)>(sizeof(float4));
  cuda::pipeline<cuda::thread_scope_thread> pipe = cuda::make_pipeline();
  int t = threadIdx.x;
  for (int st = 0; st < 2; st++) {
    pipe.producer_acquire();
    cuda::memcpy_async(&s[st][t][0], &in[(st * B + t) * 4], shape, pipe);
    pipe.producer_commit();
  }
  pipe.consumer_wait();
  __syncthreads();
  for (int st = 0; st < 2; st++)
    for (int k = 0; k < 4; k++) out[(st * B + t) * 4 + k] = s[st][(t + 1) % B][k];
  pipe.consumer_release();
  pk[t] = pack(&v[8 * t]);
  int local[3];
  memset(local, 0, sizeof(local));
  z[t] = local[0] + local[1] + local[2] + 7;
}
