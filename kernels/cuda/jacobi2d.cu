// One Jacobi sweep of the 2-D 5-point stencil (PolyBench jacobi-2d): interior points become the
// average of themselves and their four neighbours; the boundary is copied. The host ping-pongs
// two buffers for a number of sweeps.
__global__ void jacobi2d(const float* __restrict__ A, float* __restrict__ B, int nx, int ny)
{
    int i = blockIdx.y * blockDim.y + threadIdx.y;
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= ny || j >= nx)
        return;
    int idx = i * nx + j;
    if (i == 0 || j == 0 || i == ny - 1 || j == nx - 1) {
        B[idx] = A[idx];
    } else {
        B[idx] = 0.2f * (A[idx] + A[idx - 1] + A[idx + 1] + A[idx - nx] + A[idx + nx]);
    }
}
