#!/usr/bin/perl
# prove Tests/VMwareSimulator/t: scripts/condor_vm_vmware alone against the simulated
# vmrun and vmware-cmd (../bin, first in PATH), on Workstation, Player and Server.
use strict;
use warnings;
use Test::More;
use FindBin;
use File::Temp qw(tempdir);
use POSIX ();

my $script = "$FindBin::Bin/../../../scripts/condor_vm_vmware";
$ENV{PATH} = "$FindBin::Bin/../bin:/usr/bin:/bin";

# Runs the script; returns (exit status, stdout, stderr).
sub run_script {
    my (@args) = @_;
    my $dir = tempdir(CLEANUP => 1);
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', "$dir/out");
        open(STDERR, '>', "$dir/err");
        { exec { $^X } $^X, $script, @args; }
        POSIX::_exit(127);
    }
    waitpid($pid, 0);
    my $status = $? >> 8;
    my %text;
    for my $name ('out', 'err') { open(my $in, '<', "$dir/$name"); local $/; $text{$name} = <$in> // ''; }
    return ($status, $text{out}, $text{err});
}

# A fresh simulated host with one VM.
sub host {
    my ($product) = @_;
    my $dir = tempdir(CLEANUP => 1);
    mkdir "$dir/state";
    $ENV{VMWARE_SIM_STATE} = "$dir/state";
    $ENV{VMWARE_SIM_PRODUCT} = $product;
    open(my $vmx, '>', "$dir/vm.vmx") or die;
    print {$vmx} qq(config.version = "8"\nethernet0.present = "TRUE"\n);
    close($vmx);
    return ($dir, "$dir/vm.vmx");
}

sub alive { my ($pid) = @_; open(my $s, '<', "/proc/$pid/stat") or return 0; my $l = <$s>; return $l !~ /^\d+ \(.*\) [ZX]/ }

subtest 'usage and bad arguments' => sub {
    my ($status, $out, $err) = run_script();
    is($status, 1, 'no arguments: exit 1');
    like($err, qr/^Usage:/, 'usage on stderr');
    ($status, $out) = run_script('--help');
    is($status, 0, '--help: exit 0');
    like($out, qr/killvm <match>/, 'help lists the sub-commands');
    host('ws');
    ($status, $out, $err) = run_script('frobnicate');
    is($status, 1, 'unknown command: exit 1');
    like($err, qr/^\(ERROR\) Unknown command "frobnicate"/, 'unknown command error');
    ($status, $out, $err) = run_script('status', '/nonexistent/vm.vmx');
    is($status, 1, 'missing vmx: exit 1');
    like($err, qr/^\(ERROR\) vmconfig \/nonexistent\/vm.vmx does not exist/, 'missing vmx error');
    ($status, undef, $err) = run_script('start');
    like($err, qr/no vmconfig file given/, 'start without a vmx');
    ($status, undef, $err) = run_script('killvm');
    is($status, 1, 'killvm without a match string');
    ($status, undef, $err) = run_script('createiso', '/nonexistent', '/tmp/x.iso');
    like($err, qr/is not a readable file/, 'createiso with a missing list');
};

subtest 'Workstation lifecycle' => sub {
    my ($dir, $vmx) = host('ws');
    my ($status, $out) = run_script('check');
    is($status, 0, 'check');
    like($out, qr/^PRODUCT=ws\nVERSION=1\.17\.0 build-\d+\nSNAPSHOT=TRUE\n\z/, 'check output');
    ($status, $out) = run_script('snapshot', $vmx);
    is($status, 0, 'snapshot');
    ($status, $out) = run_script('start', $vmx);
    is($status, 0, 'start');
    my ($pid) = $out =~ /^PID=(\d+)$/m;
    ok($pid && alive($pid), "the vmware-vmx stand-in runs ($out)");
    ($status, $out) = run_script('status', $vmx);
    is($out, "STATUS=Running\nPID=$pid\n", 'status running');
    ($status, $out) = run_script('getvminfo', $vmx);
    like($out, qr/^STATUS=Running\nPID=$pid\nMAC=00:0c:29:[0-9a-f:]{8}\nIP=192\.168\.\d+\.\d+\n\z/, 'getvminfo');
    ($status, $out) = run_script('suspend', $vmx);
    is($status, 0, 'suspend');
    ok(!alive($pid), 'the process is gone while suspended');
    ($status, $out) = run_script('status', $vmx);
    is($out, "STATUS=Suspended\n", 'status suspended');
    ($status, $out) = run_script('resume', $vmx);
    my ($again) = $out =~ /^PID=(\d+)$/m;
    ok($again && alive($again), 'resume starts a new process');
    ($status, $out) = run_script('killvm', $dir);
    is($out, "KILLED=1\n", 'killvm kills the matching vmware-vmx');
    ok(!alive($again), 'and it is gone');
    ($status, $out) = run_script('status', $vmx);
    is($out, "STATUS=Stopped\n", 'status stopped');
    ($status, $out) = run_script('commit', $vmx);
    is($status, 0, 'commit deletes the snapshot');
    ($status, undef, my $err) = run_script('revert', $vmx);
    is($status, 1, 'revert without a snapshot fails');
    like($err, qr/^\(ERROR\) revert of vm\(.*\) failed \(exit 255\): A snapshot with the name does not exist/, 'with vmrun\'s error');
};

subtest 'vmrun failing' => sub {
    my ($dir, $vmx) = host('ws');
    mkdir "$dir/state/fail";
    open(my $f, '>', "$dir/state/fail/start"); print {$f} "Insufficient permissions in host operating system\n"; close($f);
    my ($status, $out, $err) = run_script('start', $vmx);
    is($status, 1, 'start fails');
    is($out, '', 'nothing on stdout');
    like($err, qr/^\(ERROR\) vmrun start .* failed \(exit 255\): Insufficient permissions/m, 'the tool\'s error is passed on');
    ($status, $out, $err) = run_script('stop', $vmx);
    is($status, 0, "stop of a VM that is not running succeeds: it is stopped");
};

subtest 'Player has no snapshots' => sub {
    my ($dir, $vmx) = host('player');
    my ($status, $out) = run_script('check');
    like($out, qr/^PRODUCT=player\n.*SNAPSHOT=FALSE\n\z/s, 'check says so');
    ($status, undef, my $err) = run_script('snapshot', $vmx);
    is($status, 1, 'snapshot refused');
    like($err, qr/VMware Player cannot take/, 'with a reason');
    ($status, $out) = run_script('start', $vmx);
    is($status, 0, 'start works');
    run_script('stop', $vmx);
};

subtest 'Server lifecycle' => sub {
    my ($dir, $vmx) = host('server');
    my ($status, $out) = run_script('check');
    like($out, qr/^PRODUCT=server\nVERSION=1\.0\.10 build-203137\n/, 'check');
    ($status, $out) = run_script('start', $vmx);
    my ($pid) = $out =~ /^PID=(\d+)$/m;
    ok($pid && alive($pid), 'start registers and powers on');
    ($status, $out) = run_script('list');
    is($out, "$vmx\n", 'list shows the registered VM');
    ($status, $out) = run_script('getvminfo', $vmx);
    like($out, qr/^STATUS=Running\nPID=$pid\nMAC=00:0c:29:[0-9a-f:]{8}\nIP=10\.0\.\d+\.\d+\n\z/, 'getvminfo');
    ($status) = run_script('snapshot', $vmx);
    is($status, 0, 'snapshot');
    ($status, $out) = run_script('suspend', $vmx);
    ($status, $out) = run_script('status', $vmx);
    is($out, "STATUS=Suspended\n", 'suspended');
    ($status) = run_script('stop', $vmx);
    is($status, 0, 'stop of a suspended VM unregisters it');
    ($status, $out) = run_script('list');
    is($out, '', 'nothing registered');
};

subtest 'the product hint skips detection, except in check' => sub {
    my ($dir, $vmx) = host('player');
    local $ENV{CONDOR_VMWARE_PRODUCT} = 'player';
    my ($status, $out) = run_script('status', $vmx);
    is($out, "STATUS=Stopped\n", 'status');
    open(my $log, '<', "$dir/state/calls.log") or die;
    my @calls = <$log>;
    is_deeply(\@calls, ["vmrun\t-T\tplayer\tlist\n"], 'one vmrun list, no detection');
    $ENV{CONDOR_VMWARE_PRODUCT} = 'ws';
    ($status, $out) = run_script('check');
    like($out, qr/^PRODUCT=player\n/, 'check detects for itself');
};

done_testing();
