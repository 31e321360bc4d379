// One explicit heat-equation step on a 3-D grid with the 7-point Laplacian, launched on a 3-D
// grid of 3-D blocks (blockIdx.z walks the slowest axis). Boundary cells are held fixed.
__global__ void heat3d(const float* __restrict__ u, float* __restrict__ v, int nx, int ny, int nz,
                       float alpha)
{
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    int z = blockIdx.z * blockDim.z + threadIdx.z;
    if (x >= nx || y >= ny || z >= nz)
        return;

    int plane = nx * ny;
    int c = z * plane + y * nx + x;
    if (x == 0 || y == 0 || z == 0 || x == nx - 1 || y == ny - 1 || z == nz - 1) {
        v[c] = u[c];
        return;
    }
    float lap = u[c - 1] + u[c + 1] + u[c - nx] + u[c + nx] + u[c - plane] + u[c + plane]
                - 6.0f * u[c];
    v[c] = u[c] + alpha * lap;
}
