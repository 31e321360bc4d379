/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef struct cusolverDnContext *cusolverDnHandle_t; typedef enum { CUSOLVER_STATUS_SUCCESS = 0 } cusolverStatus_t;
