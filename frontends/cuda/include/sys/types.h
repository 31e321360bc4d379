/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef long off_t; typedef unsigned int mode_t; typedef int pid_t; typedef long ssize_t; typedef unsigned int uid_t; typedef unsigned int gid_t; typedef long suseconds_t; typedef unsigned long ino_t; typedef unsigned long dev_t; typedef int key_t; typedef unsigned long u_long; typedef unsigned int u_int; typedef unsigned char u_char; typedef unsigned short u_short;
