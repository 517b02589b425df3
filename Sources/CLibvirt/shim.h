#include <stddef.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* Registers a lifecycle callback. Swift cannot express the cast that the
 * VIR_DOMAIN_EVENT_CALLBACK macro performs between C function-pointer types,
 * so it is done here. */
static inline int vmgahp_register_lifecycle(virConnectPtr conn,
                                            virConnectDomainEventCallback cb,
                                            void *opaque, virFreeCallback freecb) {
    return virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                            VIR_DOMAIN_EVENT_CALLBACK(cb), opaque, freecb);
}
