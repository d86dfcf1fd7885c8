#!/usr/bin/perl
# stackctl reaper: one per ephemeral stack, started before anything else of the stack.
#
# It listens on TCP port 7070 (published on 127.0.0.1, on a network of the copy's own). The stackctl process that owns the stack connects, reads
# "ACK <stack>", and keeps the connection open. The reaper removes every container, network and
# volume carrying BOTH labels io.stackctl.stack=<stack> and io.stackctl.ephemeral=true (then itself):
#   - when the last connection has been closed for GRACE seconds (the owner exited or was killed:
#     the kernel closes its sockets even on SIGKILL),
#   - when nobody connected within CONNECT_TIMEOUT seconds of its start,
#   - when EXPIRES_AT (unix seconds) has passed, if set.
# A client that sends "DETACH" hands the stack over to the TTL alone (`up --ephemeral --detach`).
# Nothing without both labels is ever touched: the label filter is the engine's own.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;
use IO::Select;
use Socket qw(SOCK_STREAM);
use POSIX qw(:sys_wait_h);

$| = 1;
my $stack = $ENV{STACKCTL_STACK} // '';
die "stackctl-reaper: STACKCTL_STACK is not set\n" if $stack !~ /^[a-z0-9][a-z0-9_-]*$/;
my $expires = $ENV{STACKCTL_EXPIRES_AT} // 0;
my $connect_timeout = $ENV{STACKCTL_CONNECT_TIMEOUT} // 6;
my $grace = $ENV{STACKCTL_GRACE} // 1;
my $socket_path = $ENV{DOCKER_SOCKET} // '/var/run/docker.sock';
my $self = $ENV{HOSTNAME} // '';

sub uri_escape { my $s = shift; $s =~ s/([^A-Za-z0-9\-_.~])/sprintf('%%%02X', ord($1))/ge; return $s; }
my $filters = uri_escape(qq({"label":["io.stackctl.stack=$stack","io.stackctl.ephemeral=true"]}));

sub api {
  my ($method, $path, $body) = @_;
  $body //= '';
  my $s = IO::Socket::UNIX->new(Peer => $socket_path, Type => SOCK_STREAM) or do { warn "reaper: $socket_path: $!\n"; return (0, '') };
  my $type = $body eq '' ? '' : "Content-Type: application/json\r\n";
  print $s "$method $path HTTP/1.0\r\nHost: docker\r\n${type}Content-Length: " . length($body) . "\r\n\r\n$body";
  local $/;
  my $response = <$s> // '';
  close $s;
  my ($head, $content) = split /\r\n\r\n/, $response, 2;
  my ($status) = ($head // '') =~ m{^HTTP/\S+ (\d+)};
  return ($status // 0, $content // "");
}

sub in_parallel {
  my ($method, @paths) = @_;
  my @pids;
  for my $path (@paths) {
    my $pid = fork();
    if (!defined $pid) { api($method, $path); next; }
    if ($pid == 0) { api($method, $path); POSIX::_exit(0); }
    push @pids, $pid;
  }
  waitpid($_, 0) for @pids;
}

sub reap_once {
  my (undef, $containers) = api('GET', "/containers/json?all=1&filters=$filters");
  my @ids = grep { $self eq '' || index($_, $self) != 0 } ($containers =~ /"Id":"([0-9a-f]{64})"/g);
  in_parallel('DELETE', map { "/containers/$_?force=1&v=1" } @ids);
  my (undef, $networks) = api('GET', "/networks?filters=$filters");
  my @networks = ($networks =~ /"Id":"([0-9a-f]{64})"/g);
  # The reaper's own network (the copy's too) cannot go while the reaper is attached: leave it first.
  # The engine's socket is a file, not the network, so the reaper still reaches the engine after.
  api('POST', "/networks/$_/disconnect", qq({"Container":"$self","Force":true})) for ($self eq '' ? () : @networks);
  in_parallel('DELETE', map { "/networks/$_" } @networks);
  my (undef, $volumes) = api('GET', "/volumes?filters=$filters");
  in_parallel('DELETE', map { '/volumes/' . uri_escape($_) . '?force=1' } ($volumes =~ /"Name":"([^"]+)"/g));
  return scalar @ids;
}

sub reap {
  my $why = shift;
  print "reaper: removing stack $stack ($why)\n";
  reap_once();
  # A request the owner sent just before it died may still create something: look again.
  sleep 1;
  reap_once();
  print "reaper: stack $stack removed\n";
  api('DELETE', "/containers/$self?force=1&v=1") if $self ne '';
  exit 0;
}

my $server = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => 7070, Listen => 16, ReuseAddr => 1, Proto => 'tcp')
  or die "stackctl-reaper: cannot listen on 7070: $!\n";
my $select = IO::Select->new($server);
my $started = time;
my $ever = 0;
my $detached = 0;
my $clients = 0;
my $last_close = time;
print "reaper: watching stack $stack\n";

while (1) {
  for my $fh ($select->can_read(0.25)) {
    if ($fh == $server) {
      my $client = $server->accept or next;
      $select->add($client);
      $clients++;
      $ever = 1;
      syswrite $client, "ACK $stack\n";
      next;
    }
    my $n = sysread $fh, my $buffer, 1024;
    if (!$n) {
      $select->remove($fh);
      close $fh;
      $clients--;
      $last_close = time;
      next;
    }
    if ($buffer =~ /DETACH/) { $detached = 1; syswrite $fh, "DETACHED\n"; }
    if ($buffer =~ /PING/) { syswrite $fh, "PONG\n"; }
  }
  my $now = time;
  reap('its TTL ended') if $expires > 0 && $now >= $expires;
  next if $detached;
  reap('no owner connected') if !$ever && $now - $started >= $connect_timeout;
  reap('its owner went away') if $ever && $clients <= 0 && $now - $last_close >= $grace;
}
