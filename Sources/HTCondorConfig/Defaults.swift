/// HTCondor's built-in values for the settings the gahp (and its lead, reading the starter's
/// view) consults, so a minimal configuration behaves like a stock HTCondor install.
enum Defaults {
    static func table(subsystem: String) -> [String: String] {
        [
            "SUBSYSTEM": subsystem,
            "LOG": "/var/log/condor",
            "LIBEXEC": "/usr/libexec/condor",
            "SBIN": "/usr/sbin",
            "MAX_DEFAULT_LOG": "10485760",
            "VM_GAHP_SERVER": "$(SBIN)/condor_vm-gahp",
            "VM_GAHP_LOG": "$(LOG)/VMGahpLog",
            "MAX_VM_GAHP_LOG": "$(MAX_DEFAULT_LOG)",
            "VM_GAHP_REQ_TIMEOUT": "300",
            "VM_STATUS_INTERVAL": "60",
            "VM_STATUS_MAX_ERROR": "5",
            "VM_GAHP_SEND_ALL_CLASSAD": "true",
            "VM_SOFT_SUSPEND": "false",
            "LIBVIRT_XML_SCRIPT": "$(LIBEXEC)/libvirt_simple_script.awk",
            "USE_SCRIPT_TO_CREATE_CONFIG": "false",
            "VM_NETWORKING": "false",
            "VM_HARDWARE_VT": "false",
            "XEN_ALLOW_HARDWARE_VT_SUSPEND": "false",
            "REQUIRE_LOCAL_CONFIG_FILE": "true",
            "LOCAL_CONFIG_DIR_EXCLUDE_REGEXP": #"^((\..*)|(.*~)|(#.*)|(.*\.rpmsave)|(.*\.rpmnew)|(.*\.swp))$"#,
        ]
    }
}
