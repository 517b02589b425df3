#define _GNU_SOURCE
#include "job_user.h"
#include <sys/syscall.h>
#include <unistd.h>

int vmgahp_thread_become(uid_t uid, gid_t gid, const gid_t *groups, size_t count) {
    if (syscall(SYS_setgroups, count, groups) != 0) return -1;
    syscall(SYS_setfsgid, gid);
    /* setfsgid/setfsuid report no error; asking with an invalid id returns the current one. */
    if ((gid_t)syscall(SYS_setfsgid, (gid_t)-1) != gid) return -1;
    syscall(SYS_setfsuid, uid);
    if ((uid_t)syscall(SYS_setfsuid, (uid_t)-1) != uid) return -1;
    return 0;
}
