/* portable stub header: declarations only, for a device-only parse. */
#pragma once
/* everything is in the portable prelude, included before every file */
typedef unsigned long long CUtexObject; typedef unsigned long long CUsurfObject; typedef int CUdevice; typedef struct CUctx_st *CUcontext; typedef struct CUmod_st *CUmodule; typedef struct CUfunc_st *CUfunction; typedef struct CUstream_st *CUstream; typedef struct CUevent_st *CUevent; typedef unsigned long long CUdeviceptr; typedef struct CUarray_st *CUarray;
typedef enum CUresult_enum { CUDA_SUCCESS = 0 } CUresult;
typedef enum CUmemAllocationHandleType_enum { CU_MEM_HANDLE_TYPE_NONE = 0, CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR = 1, CU_MEM_HANDLE_TYPE_WIN32 = 2, CU_MEM_HANDLE_TYPE_WIN32_KMT = 4 } CUmemAllocationHandleType;
