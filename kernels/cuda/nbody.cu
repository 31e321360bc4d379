// All-pairs gravitational accelerations in double precision, tiled through shared memory
// (after GPU Gems 3, ch. 31): each block stages TILE bodies at a time and every thread sums
// their pull on its own body, with Plummer softening. Padding bodies have zero mass.
#define TILE 128
#define SOFTENING2 1e-4

__global__ void nbody_accel(const double* __restrict__ px, const double* __restrict__ py,
                            const double* __restrict__ pz, const double* __restrict__ mass,
                            double* __restrict__ ax, double* __restrict__ ay,
                            double* __restrict__ az, int n)
{
    __shared__ double sx[TILE];
    __shared__ double sy[TILE];
    __shared__ double sz[TILE];
    __shared__ double sm[TILE];

    int i = blockIdx.x * blockDim.x + threadIdx.x;
    double xi = 0.0, yi = 0.0, zi = 0.0;
    if (i < n) {
        xi = px[i];
        yi = py[i];
        zi = pz[i];
    }
    double accx = 0.0, accy = 0.0, accz = 0.0;

    for (int base = 0; base < n; base += TILE) {
        int j = base + threadIdx.x;
        sx[threadIdx.x] = (j < n) ? px[j] : 0.0;
        sy[threadIdx.x] = (j < n) ? py[j] : 0.0;
        sz[threadIdx.x] = (j < n) ? pz[j] : 0.0;
        sm[threadIdx.x] = (j < n) ? mass[j] : 0.0;
        __syncthreads();

        for (int k = 0; k < TILE; ++k) {
            double dx = sx[k] - xi;
            double dy = sy[k] - yi;
            double dz = sz[k] - zi;
            double r2 = dx * dx + dy * dy + dz * dz + SOFTENING2;
            double inv_r = rsqrt(r2);
            double s = sm[k] * inv_r * inv_r * inv_r;
            accx += dx * s;
            accy += dy * s;
            accz += dz * s;
        }
        __syncthreads();
    }

    if (i < n) {
        ax[i] = accx;
        ay[i] = accy;
        az[i] = accz;
    }
}
