#ifndef VMGAHP_JOB_USER_H
#define VMGAHP_JOB_USER_H
#include <sys/types.h>

/// Gives the calling thread, and only it, the file-system identity of a user: its
/// supplementary groups, file-system gid and file-system uid, through the raw system calls
/// (glibc's setgroups/setfsuid wrappers would apply them to every thread of the process).
/// A file-system uid other than 0 also drops the thread's file-system capabilities
/// (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, ...), so its opens are checked as
/// that user's. Returns 0 once the change is confirmed, else -1.
int vmgahp_thread_become(uid_t uid, gid_t gid, const gid_t *groups, size_t count);

#endif
