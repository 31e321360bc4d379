/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef struct cusparseContext *cusparseHandle_t; typedef enum { CUSPARSE_STATUS_SUCCESS = 0 } cusparseStatus_t;
