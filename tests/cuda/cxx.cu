#include <cuda_runtime.h>
#include <cstdio>
#include <cstdint>
#include <math.h>
namespace ns {
constexpr int BS = 4;
enum Mode { ADD = 1, MUL = 2 };
enum class Op : int { Neg, Pos };
typedef float real;
using idx_t = int;
struct P {
  float x, y;
  __device__ P(float a, float b) : x(a), y(b) {}
  __device__ float sum() const { return x + y; }
  __device__ void scale(float s) { x *= s; y *= s; }
  __device__ P operator+(const P &o) const { return P(x + o.x, y + o.y); }
};
template <typename T> __device__ T sq(T v) { return v * v; }
__device__ void swap2(float &a, float &b) { float t = a; a = b; b = t; }
}  // namespace ns
struct S { int a; float b; };
__constant__ float coef[4] = {1, 2, 3, 4};
__device__ int counter;

template <typename T, int N>
__global__ void k(T *out, const T *in, S s, ns::Mode m) {
  ns::idx_t i = blockIdx.x * blockDim.x + threadIdx.x;
  ns::real v = static_cast<ns::real>(in[i]) * coef[i % ns::BS] + s.b;
  float a = 1, b = 2;
  ns::swap2(a, b);
  ns::P p(a, b);
  ns::P q = p + p;
  q.scale(0.5f);
  float4 f4 = make_float4(1, 2, 3, 4);
  f4.y += 1;
  ns::Op op = ns::Op::Pos;
  if (m == ns::ADD && op == ns::Op::Pos) v += ns::sq(v) + N + q.sum() + f4.y + (T)s.a;
  out[i] = v;
  atomicAdd(&counter, 1);
}
template __global__ void k<float, 3>(float *, const float *, S, ns::Mode);

int main() {
  float *d;
  cudaMalloc(&d, 100 * sizeof(float));
  k<float, 3><<<1, 32>>>(d, d, S{1, 2.0f}, ns::ADD);
  printf("done\n");
  return 0;
}
