/* Host-side CUDA runtime API declarations, so that host code in a .cu file parses. portable
   skips host code (a PORT0005 note); these only need to type-check. */
#ifndef __PORTABLE_RUNTIME_H
#define __PORTABLE_RUNTIME_H
typedef enum cudaError { cudaSuccess = 0, cudaErrorInvalidValue = 1,
                         cudaErrorMemoryAllocation = 2 } cudaError_t;
typedef enum cudaMemcpyKind { cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice = 1,
                              cudaMemcpyDeviceToHost = 2, cudaMemcpyDeviceToDevice = 3,
                              cudaMemcpyDefault = 4 } cudaMemcpyKind;
typedef struct CUstream_st *cudaStream_t;
typedef struct CUevent_st *cudaEvent_t;
struct cudaDeviceProp {
  char name[256]; size_t totalGlobalMem; size_t sharedMemPerBlock; int regsPerBlock;
  int warpSize; int maxThreadsPerBlock; int maxThreadsDim[3]; int maxGridSize[3];
  int clockRate; int major; int minor; int multiProcessorCount; size_t totalConstMem;
  int memoryClockRate; int memoryBusWidth; int l2CacheSize; int maxThreadsPerMultiProcessor;
  size_t sharedMemPerMultiprocessor; int concurrentKernels; int computeMode;
};
extern "C" {
cudaError_t cudaMalloc(void **, size_t);
cudaError_t cudaMallocManaged(void **, size_t, unsigned int = 1);
cudaError_t cudaMallocHost(void **, size_t);
cudaError_t cudaHostAlloc(void **, size_t, unsigned int);
cudaError_t cudaFree(void *);
cudaError_t cudaFreeHost(void *);
cudaError_t cudaMemcpy(void *, const void *, size_t, cudaMemcpyKind);
cudaError_t cudaMemcpyAsync(void *, const void *, size_t, cudaMemcpyKind, cudaStream_t = 0);
cudaError_t cudaMemset(void *, int, size_t);
cudaError_t cudaMemsetAsync(void *, int, size_t, cudaStream_t = 0);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaThreadSynchronize(void);
cudaError_t cudaDeviceReset(void);
cudaError_t cudaSetDevice(int);
cudaError_t cudaGetDevice(int *);
cudaError_t cudaGetDeviceCount(int *);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *, int);
cudaError_t cudaGetLastError(void);
cudaError_t cudaPeekAtLastError(void);
const char *cudaGetErrorString(cudaError_t);
const char *cudaGetErrorName(cudaError_t);
cudaError_t cudaEventCreate(cudaEvent_t *);
cudaError_t cudaEventRecord(cudaEvent_t, cudaStream_t = 0);
cudaError_t cudaEventSynchronize(cudaEvent_t);
cudaError_t cudaEventElapsedTime(float *, cudaEvent_t, cudaEvent_t);
cudaError_t cudaEventDestroy(cudaEvent_t);
cudaError_t cudaStreamCreate(cudaStream_t *);
cudaError_t cudaStreamDestroy(cudaStream_t);
cudaError_t cudaStreamSynchronize(cudaStream_t);
cudaError_t cudaMemcpyToSymbol(const void *, const void *, size_t, size_t = 0,
                               cudaMemcpyKind = cudaMemcpyHostToDevice);
cudaError_t cudaMemcpyFromSymbol(void *, const void *, size_t, size_t = 0,
                                 cudaMemcpyKind = cudaMemcpyDeviceToHost);
cudaError_t cudaFuncSetAttribute(const void *, int, int);
cudaError_t cudaConfigureCall(dim3, dim3, size_t = 0, cudaStream_t = 0);
unsigned __cudaPushCallConfiguration(dim3, dim3, size_t = 0, void * = 0);
}
/* the device runtime's allocation (it needs -rdc): reported as PORT1009 when a kernel calls it */
__device__ cudaError_t cudaMalloc(void **, size_t);
__device__ cudaError_t cudaFree(void *);
struct cudaMemPoolPtrExportData { unsigned char reserved[64]; };
template <class T> cudaError_t cudaMalloc(T **p, size_t n) { return cudaMalloc((void **)p, n); }
template <class T> cudaError_t cudaMallocManaged(T **p, size_t n, unsigned int f = 1) {
  return cudaMallocManaged((void **)p, n, f);
}
template <class T> cudaError_t cudaMemcpyToSymbol(const T &s, const void *src, size_t n,
    size_t off = 0, cudaMemcpyKind k = cudaMemcpyHostToDevice) {
  return cudaMemcpyToSymbol((const void *)&s, src, n, off, k);
}
template <class T> cudaError_t cudaMemcpyFromSymbol(void *dst, const T &s, size_t n,
    size_t off = 0, cudaMemcpyKind k = cudaMemcpyDeviceToHost) {
  return cudaMemcpyFromSymbol(dst, (const void *)&s, n, off, k);
}
/* textures and surfaces: declared so that files using them parse; using one in a kernel is
   reported (PORT1008) */
enum cudaTextureReadMode { cudaReadModeElementType = 0, cudaReadModeNormalizedFloat = 1 };
typedef unsigned long long cudaTextureObject_t;
typedef unsigned long long cudaSurfaceObject_t;
struct cudaChannelFormatDesc { int x, y, z, w, f; };
struct cudaArray;
typedef cudaArray *cudaArray_t;
template <class T, int dim = 1, enum cudaTextureReadMode mode = cudaReadModeElementType>
struct texture { int normalized; int filterMode; int addressMode[3]; };
template <class T> __device__ T tex1Dfetch(cudaTextureObject_t, int);
template <class T> __device__ T tex1D(cudaTextureObject_t, float);
template <class T> __device__ T tex2D(cudaTextureObject_t, float, float);
template <class T> __device__ T tex3D(cudaTextureObject_t, float, float, float);
template <class T, int d, enum cudaTextureReadMode m> __device__ T tex1Dfetch(texture<T, d, m>, int);
template <class T, int d, enum cudaTextureReadMode m> __device__ T tex1D(texture<T, d, m>, float);
template <class T, int d, enum cudaTextureReadMode m> __device__ T tex2D(texture<T, d, m>, float,
                                                                          float);
template <class T, int d, enum cudaTextureReadMode m> __device__ T tex3D(texture<T, d, m>, float,
                                                                          float, float);
template <class T> __device__ void surf2Dwrite(T, cudaSurfaceObject_t, int, int);
template <class T> __device__ T surf2Dread(cudaSurfaceObject_t, int, int);
template <class T> cudaChannelFormatDesc cudaCreateChannelDesc();
extern "C" {
cudaError_t cudaBindTexture(size_t *, const void *, const void *, size_t);
cudaError_t cudaUnbindTexture(const void *);
cudaError_t cudaMallocArray(cudaArray_t *, const cudaChannelFormatDesc *, size_t, size_t = 0);
}
template <class T, int d, enum cudaTextureReadMode m>
cudaError_t cudaBindTexture(size_t *, const texture<T, d, m> &, const void *, size_t = ~0ul);
template <class T, int d, enum cudaTextureReadMode m>
cudaError_t cudaUnbindTexture(const texture<T, d, m> &);
/* more runtime types, so host declarations that use them parse */
struct cudaExtent { size_t width, height, depth; };
struct cudaPos { size_t x, y, z; };
struct cudaPitchedPtr { void *ptr; size_t pitch, xsize, ysize; };
struct cudaMemcpy3DParms { cudaArray_t srcArray; cudaPos srcPos; cudaPitchedPtr srcPtr; cudaArray_t dstArray; cudaPos dstPos; cudaPitchedPtr dstPtr; cudaExtent extent; cudaMemcpyKind kind; };
static inline cudaExtent make_cudaExtent(size_t w, size_t h, size_t d) { cudaExtent e = {w, h, d}; return e; }
static inline cudaPos make_cudaPos(size_t x, size_t y, size_t z) { cudaPos p = {x, y, z}; return p; }
static inline cudaPitchedPtr make_cudaPitchedPtr(void *d, size_t p, size_t x, size_t y) { cudaPitchedPtr r = {d, p, x, y}; return r; }
typedef struct CUgraph_st *cudaGraph_t; typedef struct CUgraphExec_st *cudaGraphExec_t; typedef struct CUgraphNode_st *cudaGraphNode_t;
typedef struct CUmemPoolHandle_st *cudaMemPool_t; typedef struct CUuserObject_st *cudaUserObject_t;
typedef unsigned long long cudaGraphConditionalHandle;
__device__ void cudaGraphSetConditional(cudaGraphConditionalHandle, unsigned int);
struct cudaIpcMemHandle_t { char reserved[64]; }; struct cudaIpcEventHandle_t { char reserved[64]; };
enum cudaMemAllocationHandleType { cudaMemHandleTypeNone = 0, cudaMemHandleTypePosixFileDescriptor = 1, cudaMemHandleTypeWin32 = 2, cudaMemHandleTypeWin32Kmt = 4 };
enum cudaSurfaceBoundaryMode { cudaBoundaryModeZero = 0, cudaBoundaryModeClamp = 1, cudaBoundaryModeTrap = 2 };
enum cudaStreamCaptureMode { cudaStreamCaptureModeGlobal = 0, cudaStreamCaptureModeThreadLocal = 1, cudaStreamCaptureModeRelaxed = 2 };
enum cudaStreamCaptureStatus { cudaStreamCaptureStatusNone = 0, cudaStreamCaptureStatusActive = 1, cudaStreamCaptureStatusInvalidated = 2 };
struct cudaResourceDesc { int resType; struct { struct { void *devPtr; cudaChannelFormatDesc desc; size_t sizeInBytes; } linear; struct { cudaArray_t array; } array; } res; };
struct cudaTextureDesc { int addressMode[3]; int filterMode; int readMode; int normalizedCoords; };
struct cudaFuncAttributes { size_t sharedSizeBytes; size_t constSizeBytes; size_t localSizeBytes; int maxThreadsPerBlock; int numRegs; int ptxVersion; int binaryVersion; };
struct cudaGraphicsResource; typedef cudaGraphicsResource *cudaGraphicsResource_t;
struct cudaLaunchParams { void *func; dim3 gridDim; dim3 blockDim; void **args; size_t sharedMem; cudaStream_t stream; };
typedef struct CUexternalMemory_st *cudaExternalMemory_t; typedef struct CUexternalSemaphore_st *cudaExternalSemaphore_t;
typedef struct cudaMipmappedArray *cudaMipmappedArray_t;
template <class T> __device__ T texCubemap(cudaTextureObject_t, float, float, float);
template <class T> __device__ T tex1DLayered(cudaTextureObject_t, float, int);
template <class T> __device__ T tex2DLayered(cudaTextureObject_t, float, float, int);
template <class T> __device__ T tex2DLod(cudaTextureObject_t, float, float, float);
template <class T> __device__ T tex3DLod(cudaTextureObject_t, float, float, float, float);
template <class T> __device__ T tex2Dgather(cudaTextureObject_t, float, float, int = 0);
template <class T, int d, enum cudaTextureReadMode m> __device__ T texCubemap(texture<T, d, m>, float, float, float);
template <class T, int d, enum cudaTextureReadMode m> __device__ T tex1DLayered(texture<T, d, m>, float, int);
template <class T, int d, enum cudaTextureReadMode m> __device__ T tex2DLayered(texture<T, d, m>, float, float, int);
template <class T> __device__ void surf1Dwrite(T, cudaSurfaceObject_t, int, int = 0);
template <class T> __device__ void surf2Dwrite(T, cudaSurfaceObject_t, int, int, int);
template <class T> __device__ void surf3Dwrite(T, cudaSurfaceObject_t, int, int, int, int = 0);
template <class T> __device__ T surf1Dread(cudaSurfaceObject_t, int, int = 0);
template <class T> __device__ void surf1Dread(T *, cudaSurfaceObject_t, int, int = 0);
template <class T> __device__ void surf2Dread(T *, cudaSurfaceObject_t, int, int, int = 0);
template <class T> __device__ T surf3Dread(cudaSurfaceObject_t, int, int, int, int = 0);
#endif
