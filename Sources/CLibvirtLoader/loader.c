/* libvirt, loaded on first use.
 *
 * Linking libvirt.so directly costs every gahp process ~11 ms before main(): its
 * dependencies' constructors (GnuTLS, GLib, libxml2) run at exec, although the starter
 * only needs the greeting at once and the first libvirt call comes later. So the gahp is
 * not linked against libvirt; each libvirt function it uses is defined here as a
 * trampoline into the library, which vmgahp_libvirt_load() opens with dlopen. The
 * declarations come from libvirt's own headers, so a trampoline whose parameters do not
 * match the real function does not compile. */
#include "CLibvirtLoader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define LIBVIRT_FUNCTIONS \
    CALL(int, virConnectClose, (virConnectPtr conn), (conn)) \
    CALL(int, virConnectDomainEventDeregisterAny, (virConnectPtr conn, int callbackID), (conn, callbackID)) \
    CALL(int, virConnectDomainEventRegisterAny, (virConnectPtr conn, virDomainPtr dom, int eventID, virConnectDomainEventGenericCallback cb, void *opaque, virFreeCallback freecb), (conn, dom, eventID, cb, opaque, freecb)) \
    CALL(char *, virConnectGetDomainCapabilities, (virConnectPtr conn, const char *emulatorbin, const char *arch, const char *machine, const char *virttype, unsigned int flags), (conn, emulatorbin, arch, machine, virttype, flags)) \
    CALL(int, virConnectGetLibVersion, (virConnectPtr conn, unsigned long *libVer), (conn, libVer)) \
    CALL(const char *, virConnectGetType, (virConnectPtr conn), (conn)) \
    CALL(int, virConnectGetVersion, (virConnectPtr conn, unsigned long *hvVer), (conn, hvVer)) \
    CALL(int, virConnectIsAlive, (virConnectPtr conn), (conn)) \
    CALL(virConnectPtr, virConnectOpen, (const char *name), (name)) \
    CALL(int, virConnectRef, (virConnectPtr conn), (conn)) \
    CALL(int, virConnectRegisterCloseCallback, (virConnectPtr conn, virConnectCloseFunc cb, void *opaque, virFreeCallback freecb), (conn, cb, opaque, freecb)) \
    CALL(int, virConnectSetKeepAlive, (virConnectPtr conn, int interval, unsigned int count), (conn, interval, count)) \
    CALL(int, virConnectUnregisterCloseCallback, (virConnectPtr conn, virConnectCloseFunc cb), (conn, cb)) \
    CALL(virDomainPtr, virDomainCreateXML, (virConnectPtr conn, const char *xmlDesc, unsigned int flags), (conn, xmlDesc, flags)) \
    CALL(int, virDomainDestroy, (virDomainPtr domain), (domain)) \
    CALL(int, virDomainFree, (virDomainPtr domain), (domain)) \
    CALL(int, virDomainGetInfo, (virDomainPtr domain, virDomainInfoPtr info), (domain, info)) \
    CALL(const char *, virDomainGetName, (virDomainPtr domain), (domain)) \
    CALL(char *, virDomainGetXMLDesc, (virDomainPtr domain, unsigned int flags), (domain, flags)) \
    CALL(int, virDomainInterfaceAddresses, (virDomainPtr dom, virDomainInterfacePtr **ifaces, unsigned int source, unsigned int flags), (dom, ifaces, source, flags)) \
    VOID(void, virDomainInterfaceFree, (virDomainInterfacePtr iface), (iface)) \
    CALL(virDomainPtr, virDomainLookupByName, (virConnectPtr conn, const char *name), (conn, name)) \
    CALL(int, virDomainRestoreFlags, (virConnectPtr conn, const char *from, const char *dxml, unsigned int flags), (conn, from, dxml, flags)) \
    CALL(int, virDomainResume, (virDomainPtr domain), (domain)) \
    CALL(int, virDomainSave, (virDomainPtr domain, const char *to), (domain, to)) \
    CALL(int, virDomainShutdown, (virDomainPtr domain), (domain)) \
    CALL(int, virDomainSuspend, (virDomainPtr domain), (domain)) \
    CALL(int, virEventRegisterDefaultImpl, (void), ()) \
    CALL(int, virEventRunDefaultImpl, (void), ()) \
    CALL(virErrorPtr, virGetLastError, (void), ()) \
    CALL(int, virInitialize, (void), ()) \
    CALL(int, virNetworkFree, (virNetworkPtr network), (network)) \
    CALL(int, virNetworkIsActive, (virNetworkPtr net), (net)) \
    CALL(virNetworkPtr, virNetworkLookupByName, (virConnectPtr conn, const char *name), (conn, name)) \
    VOID(void, virResetLastError, (void), ()) \
    VOID(void, virSetErrorFunc, (void *userData, virErrorFunc handler), (userData, handler)) \
    /* end */

#define CALL(ret, name, params, args) static __typeof__(name) *p_##name;
#define VOID CALL
LIBVIRT_FUNCTIONS
#undef CALL
#undef VOID

static const char *load_error;
static char load_message[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *library = dlopen("libvirt.so.0", RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        snprintf(load_message, sizeof load_message, "cannot load libvirt.so.0: %s", dlerror());
        load_error = load_message;
        return;
    }
#define CALL(ret, name, params, args)                                                     \
    p_##name = (__typeof__(name) *)dlsym(library, #name);                                 \
    if (!p_##name) {                                                                      \
        snprintf(load_message, sizeof load_message, "libvirt.so.0 has no %s", #name);     \
        load_error = load_message;                                                        \
        return;                                                                           \
    }
#define VOID CALL
    LIBVIRT_FUNCTIONS
#undef CALL
#undef VOID
}

const char *vmgahp_libvirt_load(void) {
    pthread_once(&load_once, load);
    return load_error;
}

#define CALL(ret, name, params, args) ret name params { return p_##name args; }
#define VOID(ret, name, params, args) ret name params { p_##name args; }
LIBVIRT_FUNCTIONS
#undef CALL
#undef VOID
