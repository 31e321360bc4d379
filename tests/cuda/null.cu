__device__ float *pick(float *a, int flag) { return flag ? a : NULL; }
__global__ void k(float *out, float *partial, const int *flags, int n) {
  int i = threadIdx.x;
  float *p = nullptr;
  if (flags[i] & 1) p = out;
  float *q = pick(out, flags[i] & 2);
  int r = 0;
  if (p) r |= 1;
  if (q != NULL) r |= 2;
  if (!p && q == nullptr) r |= 4;
  if (partial != NULL && i == 0) partial[0] = 5.0f;
  float *s = (flags[i] & 1) ? p : 0;
  if (s == 0) r |= 8;
  out[i] = (float)r;
}
