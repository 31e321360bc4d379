/* Hand-written C/OpenMP versions of library kernels: the peers `portable bench --peers` compares
 * the llvm backend against. Built with `gcc -O3 -march=native -fopenmp -shared -fPIC` (no
 * -ffast-math: the same IEEE rules the kernels run under; float reductions may use SIMD lanes,
 * as a C programmer would write them with `omp simd reduction`).
 *
 * Each function does the work of the library kernel's whole launch list on the same arrays. */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

void saxpy(int n, float a, const float *restrict x, float *restrict y)
{
#pragma omp parallel for simd schedule(static)
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}

void reduce_sum(const float *restrict x, long n, float *restrict out)
{
    float s = 0.0f;
#pragma omp parallel for simd reduction(+ : s) schedule(static)
    for (long i = 0; i < n; i++)
        s += x[i];
    out[0] = s;
}

void histogram256(const uint8_t *restrict data, long n, uint32_t *restrict hist)
{
#pragma omp parallel
    {
        uint32_t local[4][256];  /* four sub-histograms break the store-to-load chain */
        memset(local, 0, sizeof local);
#pragma omp for schedule(static)
        for (long i = 0; i < n / 4 * 4; i += 4) {
            local[0][data[i]]++;
            local[1][data[i + 1]]++;
            local[2][data[i + 2]]++;
            local[3][data[i + 3]]++;
        }
#pragma omp single
        for (long i = n / 4 * 4; i < n; i++)
            local[0][data[i]]++;
        for (int b = 0; b < 256; b++) {
            uint32_t v = local[0][b] + local[1][b] + local[2][b] + local[3][b];
            if (v) {
#pragma omp atomic
                hist[b] += v;
            }
        }
    }
}

/* C = A B, row-major; i-k-j order with a cache-blocked k loop, j vectorised. */
void matmul(const float *restrict A, const float *restrict B, float *restrict C, int M, int N,
            int K)
{
    enum { KB = 128, JB = 512 };
#pragma omp parallel for schedule(static)
    for (int i = 0; i < M; i++) {
        float *c = C + (long)i * N;
        for (int j = 0; j < N; j++)
            c[j] = 0.0f;
        for (int k0 = 0; k0 < K; k0 += KB) {
            int k1 = k0 + KB < K ? k0 + KB : K;
            for (int j0 = 0; j0 < N; j0 += JB) {
                int j1 = j0 + JB < N ? j0 + JB : N;
                for (int k = k0; k < k1; k++) {
                    float a = A[(long)i * K + k];
                    const float *b = B + (long)k * N;
#pragma omp simd
                    for (int j = j0; j < j1; j++)
                        c[j] += a * b[j];
                }
            }
        }
    }
}

/* odata[cols][rows] = idata[rows][cols]^T, in 32x32 tiles. */
void transpose(float *restrict odata, const float *restrict idata, int rows, int cols)
{
    enum { T = 32 };
#pragma omp parallel for collapse(2) schedule(static)
    for (int r0 = 0; r0 < rows; r0 += T)
        for (int c0 = 0; c0 < cols; c0 += T) {
            int r1 = r0 + T < rows ? r0 + T : rows, c1 = c0 + T < cols ? c0 + T : cols;
            for (int c = c0; c < c1; c++)
                for (int r = r0; r < r1; r++)
                    odata[(long)c * rows + r] = idata[(long)r * cols + c];
        }
}

static void jacobi_step(const float *restrict a, float *restrict b, int nx, int ny)
{
#pragma omp parallel for schedule(static)
    for (int i = 0; i < ny; i++) {
        const float *r = a + (long)i * nx;
        float *o = b + (long)i * nx;
        if (i == 0 || i == ny - 1) {
            memcpy(o, r, sizeof(float) * nx);
            continue;
        }
        o[0] = r[0];
#pragma omp simd
        for (int j = 1; j < nx - 1; j++)
            o[j] = 0.2f * (r[j] + r[j - 1] + r[j + 1] + r[j - nx] + r[j + nx]);
        o[nx - 1] = r[nx - 1];
    }
}

void jacobi2d(float *A, float *B, int nx, int ny, int steps)
{
    for (int s = 0; s < steps; s++)
        if (s % 2 == 0)
            jacobi_step(A, B, nx, ny);
        else
            jacobi_step(B, A, nx, ny);
}

void softmax_rows(const float *restrict x, float *restrict y, int rows, int cols)
{
#pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (long)r * cols;
        float *yr = y + (long)r * cols;
        float m = -3.402823466e+38f;
#pragma omp simd reduction(max : m)
        for (int j = 0; j < cols; j++)
            m = fmaxf(m, xr[j]);
        double s = 0.0; /* a float running sum over 4096 columns misses the kernel's tolerance */
#pragma omp simd reduction(+ : s)
        for (int j = 0; j < cols; j++)
            s += expf(xr[j] - m);
        float inv = (float)(1.0 / s);
        for (int j = 0; j < cols; j++)
            yr[j] = expf(xr[j] - m) * inv;
    }
}

/* Inclusive prefix sum: per-thread chunk sums, an exclusive scan of those, then each chunk. */
void scan(const int *restrict x, int *restrict out, long n, int *restrict total)
{
    int nt = omp_get_max_threads();
    long *sums = calloc((size_t)nt + 1, sizeof(long));
#pragma omp parallel
    {
        int t = omp_get_thread_num(), T = omp_get_num_threads();
        long lo = n * t / T, hi = n * (t + 1) / T;
        int s = 0;
        for (long i = lo; i < hi; i++) {
            s += x[i];
            out[i] = s;
        }
        sums[t + 1] = s;
#pragma omp barrier
#pragma omp single
        for (int k = 1; k <= T; k++)
            sums[k] += sums[k - 1];
        int off = (int)sums[t];
        if (off)
#pragma omp simd
            for (long i = lo; i < hi; i++)
                out[i] += off;
    }
    total[0] = (int)sums[nt < 1 ? 1 : nt];
    free(sums);
}

void stencil_1d(const float *restrict in, float *restrict out, int n)
{
    static const float w[7] = {0.05f, 0.1f, 0.2f, 0.3f, 0.2f, 0.1f, 0.05f};
#pragma omp parallel for simd schedule(static)
    for (int i = 0; i < n; i++) {
        float r = 0.0f;
        for (int o = -3; o <= 3; o++) {
            int k = i + o;
            r += w[o + 3] * ((k >= 0 && k < n) ? in[k] : 0.0f);
        }
        out[i] = r;
    }
}

void gemv(const float *restrict A, const float *restrict x, float *restrict y, int rows, int cols,
          float alpha, float beta)
{
#pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; r++) {
        const float *a = A + (long)r * cols;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int j = 0; j < cols; j++)
            s += a[j] * x[j];
        y[r] = alpha * s + beta * y[r];
    }
}

static void heat_step(const float *restrict u, float *restrict v, int nx, int ny, int nz,
                      float alpha)
{
    long plane = (long)nx * ny;
#pragma omp parallel for collapse(2) schedule(static)
    for (int z = 0; z < nz; z++)
        for (int y = 0; y < ny; y++) {
            long row = z * plane + (long)y * nx;
            if (z == 0 || y == 0 || z == nz - 1 || y == ny - 1) {
                memcpy(v + row, u + row, sizeof(float) * nx);
                continue;
            }
            v[row] = u[row];
#pragma omp simd
            for (int x = 1; x < nx - 1; x++) {
                long c = row + x;
                float lap = u[c - 1] + u[c + 1] + u[c - nx] + u[c + nx] + u[c - plane] +
                            u[c + plane] - 6.0f * u[c];
                v[c] = u[c] + alpha * lap;
            }
            v[row + nx - 1] = u[row + nx - 1];
        }
}

void heat3d(float *u, float *v, int nx, int ny, int nz, float alpha)
{
    heat_step(u, v, nx, ny, nz, alpha);
    heat_step(v, u, nx, ny, nz, alpha);
}

/* STREAM triad a[i] = b[i] + s * c[i]; returns seconds of the best of `reps` runs. */
double triad(float *restrict a, const float *restrict b, const float *restrict c, long n,
             float s, int reps)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = omp_get_wtime();
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++)
            a[i] = b[i] + s * c[i];
        double t = omp_get_wtime() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

int threads(void) { return omp_get_max_threads(); }
