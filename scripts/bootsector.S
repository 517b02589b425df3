/* bootsector.S - vmgahp's test guest: 512 bytes of real-mode x86, no kernel needed.
 *
 * SeaBIOS loads it from the first disk at 0x7c00. It then
 *   - writes "GUEST-BOOT-OK bootsector" to COM1 (the domain's serial console log);
 *   - writes "GUEST-HB nnnn" every 36 timer ticks (~2 s), halting in between, so pauses,
 *     saves and restores show in the log and the guest idles at ~1% CPU;
 *   - enables the ACPI power-button event and, when the host requests a shutdown
 *     (virDomainShutdown -> QEMU system_powerdown sets PWRBTN_STS), writes
 *     "GUEST-ACPI-POWEROFF" and enters S5, so QEMU powers off;
 *   - if the word at offset 508 (`selfoff`) is N > 0, powers off by itself after N
 *     heartbeats with "GUEST-SELF-POWEROFF": a VM job that finishes.
 * The ACPI registers are SeaBIOS's PM block at 0x600 (PM1_STS, PM1_EN at +2, PM1_CNT at +4),
 * the same on i440fx and q35. Runs under KVM (also the paravirtual kind) and TCG.
 */
    .code16
    .globl _start

    .set COM1,      0x3f8
    .set COM1_LSR,  0x3fd
    .set PM1_STS,   0x600
    .set PM1_EN,    0x602
    .set PM1_CNT,   0x604
    .set PWRBTN,    0x0100          /* power-button bit in PM1_STS / PM1_EN */
    .set SLP_S5,    0x2000          /* SLP_EN with SLP_TYP 0 = S5 in QEMU's DSDT */
    .set TICKS_PER_HB, 36

_start:
    cli
    xor  %ax, %ax
    mov  %ax, %ds
    mov  %ax, %es
    mov  %ax, %ss
    mov  $0x7c00, %sp
    ljmp $0, $init                  /* normalise CS:IP */

init:
    mov  $text_boot, %si
    call print
    mov  $PM1_EN, %dx
    mov  $PWRBTN, %ax
    outw %ax, %dx
    xor  %cx, %cx                   /* ticks since the last heartbeat */
    xor  %di, %di                   /* heartbeats so far */
    sti

idle:
    mov  $PM1_STS, %dx
    inw  %dx, %ax
    test $PWRBTN, %ax
    jnz  acpi_off
    hlt                             /* until the next timer interrupt */
    inc  %cx
    cmp  $TICKS_PER_HB, %cx
    jb   idle
    xor  %cx, %cx
    inc  %di
    mov  $text_hb, %si
    call print
    mov  %di, %ax
    call print_hex
    mov  $text_eol, %si
    call print
    mov  selfoff, %ax
    test %ax, %ax
    jz   idle
    cmp  %ax, %di
    jb   idle
    mov  $text_self, %si
    jmp  power_off

acpi_off:
    mov  $text_acpi, %si
power_off:
    call print
    mov  $PM1_STS, %dx              /* acknowledge the event (write 1 to clear) */
    mov  $PWRBTN, %ax
    outw %ax, %dx
    mov  $PM1_CNT, %dx
    mov  $SLP_S5, %ax
    outw %ax, %dx
    cli
halt_forever:
    hlt
    jmp  halt_forever

/* print: the NUL-terminated string at %si to COM1 */
print:
    push %ax
1:  lodsb
    test %al, %al
    jz   2f
    call put_char
    jmp  1b
2:  pop  %ax
    ret

/* put_char: %al to COM1 once its transmit register is empty */
put_char:
    push %dx
    push %ax
    mov  $COM1_LSR, %dx
3:  inb  %dx, %al
    test $0x20, %al
    jz   3b
    pop  %ax
    mov  $COM1, %dx
    outb %al, %dx
    pop  %dx
    ret

/* print_hex: %ax as four hex digits */
print_hex:
    push %cx
    push %bx
    mov  %ax, %bx
    mov  $4, %cx
4:  rol  $4, %bx
    mov  %bl, %al
    and  $0x0f, %al
    add  $'0', %al
    cmp  $'9', %al
    jbe  5f
    add  $('A' - '9' - 1), %al
5:  call put_char
    loop 4b
    pop  %bx
    pop  %cx
    ret

text_boot: .asciz "\r\nGUEST-BOOT-OK bootsector\r\n"
text_hb:   .asciz "GUEST-HB "
text_eol:  .asciz "\r\n"
text_acpi: .asciz "GUEST-ACPI-POWEROFF\r\n"
text_self: .asciz "GUEST-SELF-POWEROFF\r\n"

    .org 508
selfoff: .word 0                    /* patched by make-bootsector.sh */
    .org 510
    .byte 0x55, 0xaa
