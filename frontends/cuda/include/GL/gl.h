/* portable stub header: declarations only, for a device-only parse. */
#pragma once
/* OpenGL: the types and a few names, for host code that portable skips. */
typedef unsigned int GLenum; typedef unsigned char GLboolean; typedef unsigned int GLbitfield; typedef void GLvoid; typedef signed char GLbyte; typedef short GLshort; typedef int GLint; typedef unsigned char GLubyte; typedef unsigned short GLushort; typedef unsigned int GLuint; typedef int GLsizei; typedef float GLfloat; typedef float GLclampf; typedef double GLdouble; typedef double GLclampd; typedef char GLchar; typedef long GLsizeiptr; typedef long GLintptr;
#define GL_FALSE 0
#define GL_TRUE 1
