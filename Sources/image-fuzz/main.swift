import DiskImage
import FuzzSupport

/// Fuzzes the image header reader on hostile files: the input is an image's first bytes,
/// read as a file of that size and as one claiming to be far larger (a sparse file whose
/// offsets reach past what is there), checked as what its magic says, as no format and as
/// qcow2. Any crash, trap, sanitizer report or hang is a finding. Run by `scripts/fuzz.sh image`.
FuzzHarness.main { bytes in
    for file in [MemoryBytes(bytes), MemoryBytes(bytes, claimedSize: 1 << 40)] {
        let found = ImageHeader.format(of: file)
        for declared in [nil, found.rawValue, ImageFormat.qcow2.rawValue] {
            _ = ImageHeader.check(file, declared: declared)
        }
    }
}
