#ifndef VMGAHP_CLIBVIRT_LOADER_H
#define VMGAHP_CLIBVIRT_LOADER_H

/* Loads libvirt.so.0 and resolves every libvirt function the driver calls.
 * Returns NULL on success (also on later calls), or why libvirt cannot be used.
 * Must succeed before any other libvirt function is called. */
const char *vmgahp_libvirt_load(void);

#endif
