__global__ void k(const float *x, const double *y, const int *e, float *m, int *ex,
                  double *md, int *exd, float *l, double *ld, float *fr, float *ip,
                  double *frd, double *ipd) {
  int i = threadIdx.x;
  int q;
  m[i] = frexpf(x[i], &q); ex[i] = q;
  md[i] = frexp(y[i], &exd[i]);
  l[i] = ldexpf(x[i], e[i]);
  ld[i] = scalbn(y[i], e[i]);
  float w;
  fr[i] = modff(x[i], &w); ip[i] = w;
  frd[i] = modf(y[i], &ipd[i]);
}
