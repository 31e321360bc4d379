struct Ray { float o, d; };
__device__ int box(Ray r, float lo, float hi, float *tnear, float *tfar) {
  float a = (lo - r.o) / r.d, b = (hi - r.o) / r.d;
  *tnear = fminf(a, b);
  *tfar = fmaxf(a, b);
  return *tfar > *tnear;
}
__device__ void bump(int *p) { p[0] += 3; }
__device__ void incr(int v, int *out) { bump(&v); *out = v; }
__global__ void k(const float *o, const float *d, float *tn, float *tf, int *hit, int *w) {
  int i = threadIdx.x;
  Ray r = {o[i], d[i]};
  float tnear, tfar;
  hit[i] = box(r, -1.0f, 2.0f, &tnear, &tfar);
  tn[i] = tnear; tf[i] = tfar;
  int x = i;
  bump(&x);
  incr(x, &w[i]);
  uchar4 q;
  *(unsigned int *)&q = 0x04030201u + i;
  w[i] += q.x + q.w;
}
