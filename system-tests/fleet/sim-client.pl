#!/usr/bin/perl
# SIMULATED programs of a real-OS fleet host: the client of the host's resident simulation server
# (io.epiphany.systemtests.fleet.SimulationServer, started by fleet.sh up; its Javadoc has the protocol). Installed as
# /usr/local/sbin/epiphany-sim-client; epiphany-sim runs it instead of a JVM of its own. perl-base only (the hosts
# have no compiler): IO::Socket::UNIX.
#
# It never reads stdin unless the simulated program reads (a 'W' frame asks for one chunk): its callers are the SDK's
# one-exec sh scripts, whose stdin is the script itself. When the call cannot be served (not root, no server, the
# server busy) nothing has been done yet and it runs the call in a JVM of its own (epiphany-sim with
# EPIPHANY_SIM_NO_SERVER), unless EPIPHANY_SIM_SERVER_ONLY is set: then it exits 75 (tests, the fleet's readiness check).
use strict;
use warnings;
use IO::Socket::UNIX;

my $SOCKET = '/run/epiphany-sim/simulation.sock';
my $MAX_DATA = 1 << 16;    # SimulationServer.MAX_DATA_BYTES
my $MAX_ARGS = 1 << 20;    # SimulationServer.MAX_ARGS_BYTES

sub not_served {
    my ($why) = @_;
    if ($ENV{EPIPHANY_SIM_SERVER_ONLY}) {
        print STDERR "epiphany-sim-client: not served by the SIMULATED program server: $why\n";
        exit 75;
    }
    $ENV{EPIPHANY_SIM_NO_SERVER} = 1;
    exec('/usr/local/sbin/epiphany-sim', @ARGV) or die "epiphany-sim-client: cannot run epiphany-sim: $!\n";
}

# A root server must not serve a user: it would read what the user cannot (kinder than a real host).
not_served('the caller is not root') if $< != 0 || $> != 0;
my $args = join('', map { "$_\0" } @ARGV);
not_served('arguments too long') if length($args) > $MAX_ARGS;
my $server = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $SOCKET) or not_served("cannot connect to $SOCKET: $!");
binmode($_) for ($server, \*STDIN, \*STDOUT, \*STDERR);

sub lost {
    print STDERR "epiphany-sim-client: the SIMULATED program server closed the call: $_[0]\n";
    exit 70;
}

sub send_frame {
    my ($type, $data) = @_;
    my $frame = $type . pack('N', length($data)) . $data;
    while (length($frame) > 0) {
        my $n = syswrite($server, $frame);
        lost("write: $!") unless defined $n;
        substr($frame, 0, $n, '');
    }
}

sub read_exactly {
    my ($fh, $length) = @_;
    my $data = '';
    while (length($data) < $length) {
        my $n = sysread($fh, $data, $length - length($data), length($data));
        lost("read: $!") unless defined $n;
        return undef if $n == 0;
    }
    return $data;
}

sub write_all {
    my ($fh, $data) = @_;
    while (length($data) > 0) {
        my $n = syswrite($fh, $data);
        exit 141 unless defined $n;    # the caller stopped reading: as a program killed by SIGPIPE
        substr($data, 0, $n, '');
    }
}

send_frame('A', $args);
my $first = 1;
while (1) {
    my $header = read_exactly($server, 5);
    lost('no exit code') unless defined $header;
    my ($type, $length) = unpack('a N', $header);
    lost("a frame of $length bytes") if $length > $MAX_DATA;
    my $data = $length == 0 ? '' : read_exactly($server, $length);
    lost('a cut frame') unless defined $data;
    if ($type eq 'B' && $first) {
        close($server);
        not_served('the server did not take the call');
    }
    $first = 0;
    if ($type eq 'O') {
        write_all(\*STDOUT, $data);
    } elsif ($type eq 'R') {
        write_all(\*STDERR, $data);
    } elsif ($type eq 'W') {
        my $chunk = '';
        my $n = sysread(STDIN, $chunk, $MAX_DATA);
        if ($n) { send_frame('I', $chunk) } else { send_frame('E', '') }    # end, or no readable stdin at all
    } elsif ($type eq 'X' && $length == 4) {
        exit(unpack('l>', $data) & 255);
    } else {
        lost("unexpected frame type '$type'");
    }
}
