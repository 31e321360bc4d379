union Packed {
  struct { short lo; short hi; };
  unsigned int word;
};
union Bits { float f; unsigned int u; unsigned char b[4]; };
__global__ void k(const unsigned *in, int *lo, int *hi, unsigned *back, const float *x,
                  unsigned *xb) {
  int i = threadIdx.x;
  Packed p;
  p.word = in[i];
  lo[i] = p.lo;
  hi[i] = p.hi;
  p.hi = (short)(p.hi + 1);
  back[i] = p.word;
  Bits q;
  q.f = x[i];
  xb[i] = q.u;
}
