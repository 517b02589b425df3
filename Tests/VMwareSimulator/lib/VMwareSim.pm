# VMwareSim - the state and the faults shared by the simulated `vmrun` and `vmware-cmd`.
#
# VMware cannot be installed on the build hosts, so the tests put these simulators first in
# PATH. They take the real tools' arguments, print their output formats and exit codes, keep
# each VM's state in files under $VMWARE_SIM_STATE, and run a real process (`vmware-vmx`,
# a script in this directory, so its /proc comm is "vmware-vmx" and its last argument the
# vmx) for every powered-on VM, so that pids, SIGSTOP and SIGKILL are real.
#
#   VMWARE_SIM_STATE    directory of the state (required)
#   VMWARE_SIM_PRODUCT  ws (Workstation, default), player or server
#   $STATE/fail/<cmd>   a file: <cmd> fails with the file's text as its error
#   $STATE/hang/<cmd>   a file: <cmd> never returns (and writes its pid to <cmd>.pid)
#   $STATE/calls.log    every invocation, one line each, arguments separated by tabs
package VMwareSim;
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use FindBin;

sub state_dir {
    my $dir = $ENV{VMWARE_SIM_STATE} or die "VMWARE_SIM_STATE is not set\n";
    mkdir "$dir/vms" unless -d "$dir/vms";
    return $dir;
}

sub product { $ENV{VMWARE_SIM_PRODUCT} || 'ws' }

sub log_call {
    my ($tool, @argv) = @_;
    open(my $log, '>>', state_dir() . '/calls.log') or die "calls.log: $!\n";
    print {$log} join("\t", $tool, @argv), "\n";
    close($log);
}

# Applies the fault files for sub-command $command; returns the failure text, if any.
sub fault {
    my ($command) = @_;
    my $dir = state_dir();
    if (-e "$dir/hang/$command") {
        # Tell the test who hangs, so it can check the timeout killed it.
        if (open(my $out, '>', "$dir/hang/$command.pid")) { print {$out} "$$\n"; close($out) }
        sleep 3600 while 1;
    }
    return undef unless -e "$dir/fail/$command";
    open(my $in, '<', "$dir/fail/$command") or return "simulated failure";
    my $text = do { local $/; <$in> } // '';
    close($in);
    $text =~ s/\s+\z//;
    return $text eq '' ? 'simulated failure' : $text;
}

sub vm_file { state_dir() . '/vms/' . md5_hex($_[0]) }

# A VM's record: path, power (on|off|suspended), pid, registered, snapshots (comma list).
sub load {
    my ($vmx) = @_;
    my %vm = (path => $vmx, power => 'off', pid => 0, registered => 0, snapshots => '');
    if (open(my $in, '<', vm_file($vmx))) {
        while (<$in>) { chomp; my ($k, $v) = split /=/, $_, 2; $vm{$k} = $v // '' }
        close($in);
    }
    # A guest that shut itself down: its vmware-vmx is gone.
    if ($vm{power} eq 'on' && !alive($vm{pid})) {
        @vm{qw(power pid)} = ('off', 0);
        save(\%vm);
    }
    return \%vm;
}

sub save {
    my ($vm) = @_;
    my $file = vm_file($vm->{path});
    open(my $out, '>', "$file.tmp") or die "$file: $!\n";
    print {$out} map { "$_=$vm->{$_}\n" } sort keys %$vm;
    close($out);
    rename("$file.tmp", $file) or die "$file: $!\n";
}

sub all_vms {
    my $dir = state_dir() . '/vms';
    opendir(my $d, $dir) or return ();
    my @vms;
    for my $f (sort grep { /^[0-9a-f]{32}$/ } readdir($d)) {
        open(my $in, '<', "$dir/$f") or next;
        my ($path) = map { /^path=(.*)$/ ? $1 : () } <$in>;
        close($in);
        push @vms, load($path) if defined $path;
    }
    return @vms;
}

# Starts the stand-in vmware-vmx for a VM in a session of its own, detached from the
# caller's output (as VMware's daemonised process is), and records its pid.
sub power_on {
    my ($vm) = @_;
    my $vmx_program = "$FindBin::Bin/vmware-vmx";
    my $pid = fork();
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        require POSIX;
        POSIX::setsid();
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', '/dev/null');
        open(STDERR, '>', '/dev/null');
        { exec { $vmx_program } $vmx_program, "-s", "vmx.stdio.keep=TRUE", $vm->{path}; }
        POSIX::_exit(127);
    }
    @$vm{qw(power pid)} = ('on', $pid);
    unlink(vmss($vm));
    save($vm);
    add_generated_mac($vm);
}

# Workstation writes ethernet0.generatedAddress into the vmx at the first power-on.
sub add_generated_mac {
    my ($vm) = @_;
    open(my $in, '<', $vm->{path}) or return;
    my $text = do { local $/; <$in> } // '';
    close($in);
    return unless $text =~ /^ethernet0\.present\s*=\s*"TRUE"/mi && $text !~ /^ethernet0\.(?:generatedA|a)ddress\s*=/mi;
    my $mac = sprintf('00:0c:29:%02x:%02x:%02x', ($vm->{pid} >> 16) & 255, ($vm->{pid} >> 8) & 255, $vm->{pid} & 255);
    open(my $out, '>>', $vm->{path}) or return;
    print {$out} "ethernet0.generatedAddress = \"$mac\"\n";
    close($out);
}

# Whether a process exists and has not died (a zombie is dead: its reaper may be slow).
sub alive {
    my ($pid) = @_;
    return 0 unless $pid;
    open(my $stat, '<', "/proc/$pid/stat") or return 0;
    my $line = <$stat> // '';
    close($stat);
    return $line !~ /^\d+ \(.*\) [ZX]/;
}

sub wait_gone {
    my ($pid) = @_;
    for (1 .. 200) {
        return unless alive($pid);
        select(undef, undef, undef, 0.01);
    }
}

sub vmss { $_[0]{path} =~ s/\.vmx$//r . '.vmss' }

# Kills the VM's process; for a suspend, writes the memory image first.
sub power_off {
    my ($vm, $power) = @_;
    if ($vm->{pid}) {
        kill('CONT', $vm->{pid});
        kill('KILL', $vm->{pid});
        wait_gone($vm->{pid});
    }
    if ($power eq 'suspended') {
        open(my $out, '>', vmss($vm)) or die vmss($vm) . ": $!\n";
        print {$out} "simulated memory image of $vm->{path}\n";
        close($out);
    }
    @$vm{qw(power pid)} = ($power, 0);
    save($vm);
}

sub snapshots { grep { $_ ne '' } split /,/, $_[0]{snapshots} }

1;
