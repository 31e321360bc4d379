/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <iostream>
namespace std { struct stringstream : ostream { template <class T> stringstream &operator>>(T &); }; typedef stringstream ostringstream; typedef stringstream istringstream;
struct ifstream : istream { ifstream(); ifstream(const char *, int = 0); bool is_open(); void close(); void open(const char *, int = 0); };
struct ofstream : ostream { ofstream(); ofstream(const char *, int = 0); bool is_open(); void close(); void open(const char *, int = 0); };
int setw(int); int setprecision(int); extern int fixed; extern int scientific; }
