import VMCore

/// A job description as JSON members, shared by both explain-ad forms.
extension JobDescription {
    /// Every field but `adLines` (explain-ad shows the ad itself above the description).
    var jsonMembers: [(String, JSONText)] {
        [
            ("vmType", .string(vmType)),
            ("name", .string(name)),
            ("workingDirectory", .string(workingDirectory)),
            ("memoryMiB", .int(memoryMiB)),
            ("vcpus", .int(vcpus)),
            ("networking", networking.map(\.json) ?? .null),
            ("checkpoint", .bool(checkpoint)),
            ("vncConsole", .bool(vncConsole)),
            ("hardwareVT", .bool(hardwareVT)),
            ("noOutputVM", .bool(noOutputVM)),
            ("disks", .array(disks.map(\.json))),
            ("xen", xen.map(\.json) ?? .null),
            ("vmware", vmware.map(\.json) ?? .null),
            ("transferInput", .array(transferInput.map(JSONText.string))),
            ("transferIntermediate", .array(transferIntermediate.map(JSONText.string))),
        ]
    }
}

extension JobDescription.Networking {
    var json: JSONText {
        .object([
            ("kind", .string(kind.rawValue)),
            ("mac", mac.map(JSONText.string) ?? .null),
            ("bridgeInterface", bridgeInterface.map(JSONText.string) ?? .null),
        ])
    }
}

extension JobDescription.Disk {
    var json: JSONText {
        .object([
            ("path", .string(path)), ("device", .string(device)), ("writable", .bool(writable)),
            ("format", format.map(JSONText.string) ?? .null), ("isCDROM", .bool(isCDROM)),
            ("transferred", .bool(transferred)),
        ])
    }
}

extension JobDescription.XenBoot {
    var json: JSONText {
        switch self {
        case .bootloader(let path):
            .object([("boot", .string("bootloader")), ("bootloader", .string(path))])
        case .hvm:
            .object([("boot", .string("hvm"))])
        case .kernel(let path, let initrd, let root, let parameters):
            .object([
                ("boot", .string("kernel")), ("kernel", .string(path)),
                ("initrd", initrd.map(JSONText.string) ?? .null), ("root", .string(root)),
                ("parameters", parameters.map(JSONText.string) ?? .null),
            ])
        }
    }
}

extension JobDescription.VMwareFiles {
    var json: JSONText {
        .object([
            ("vmxFile", .string(vmxFile)), ("vmdkFiles", .array(vmdkFiles.map(JSONText.string))),
            ("directory", directory.map(JSONText.string) ?? .null), ("transfer", .bool(transfer)),
            ("snapshotDisk", .bool(snapshotDisk)),
        ])
    }
}
