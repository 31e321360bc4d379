/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef unsigned int GLuint; typedef unsigned int GLenum; struct cudaGraphicsResource;
extern "C" { cudaError_t cudaGraphicsGLRegisterBuffer(cudaGraphicsResource **, GLuint, unsigned int); cudaError_t cudaGraphicsGLRegisterImage(cudaGraphicsResource **, GLuint, GLenum, unsigned int); cudaError_t cudaGLSetGLDevice(int); cudaError_t cudaGLRegisterBufferObject(GLuint); cudaError_t cudaGLUnregisterBufferObject(GLuint); cudaError_t cudaGLMapBufferObject(void **, GLuint); cudaError_t cudaGLUnmapBufferObject(GLuint); }
