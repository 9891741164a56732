// The machine's floor for a latency measurement: what two native threads doing the open-loop
// engine's exchange over loopback TCP see, with no JVM involved. Compare the excess it prints with
// TimingPrecisionIT's (reference-gateway/BENCHMARK.md, "The machine's floor").
//
//   gcc -O2 -pthread -o /tmp/loopback-floor load-scenarios/calibration/loopback-floor.c
//   /tmp/loopback-floor [rate=200] [seconds=20] [client: 0 sleeps, 1 spins] [server delay us=2000]
//
// Client: waits until each intended send time (clock_nanosleep to the absolute time, or spinning),
// sends 64 bytes, waits for the 64-byte answer (blocking recv, or spinning on a non-blocking one)
// and records the round trip from the actual send. Server: blocks in recv; with a delay it sleeps
// until 200 us before the delay ends and spins the rest (as the Java FixedLatencyServer), then
// answers and records its service time. Printed: round trip, service time, their difference at the
// same percentiles (the excess a perfect client would still see), and how late the client's timer
// woke (what the engine's spin before each send has to cover). The first 10% is warm-up.
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int listener;
static long delay_ns;
static long *service;
static int served;

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void sleep_until(long t) {
  struct timespec ts = {t / 1000000000L, t % 1000000000L};
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void no_delay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void *serve(void *unused) {
  (void)unused;
  int fd = accept(listener, NULL, NULL);
  if (fd < 0) {
    perror("accept");
    exit(1);
  }
  no_delay(fd);
  char b[64];
  while (recv(fd, b, sizeof b, MSG_WAITALL) == (ssize_t)sizeof b) {
    long start = now_ns();
    if (delay_ns > 0) {
      long end = start + delay_ns;
      if (delay_ns > 200000) {
        sleep_until(end - 200000);
      }
      while (now_ns() < end) {
      }
    }
    send(fd, b, sizeof b, 0);
    service[served++] = now_ns() - start;
  }
  return NULL;
}

static int by_value(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

static const double PERCENTILES[] = {50, 90, 99, 99.9};

static long at(const long *sorted, int n, double p) { return sorted[(int)(p / 100 * (n - 1))]; }

static void print(const char *what, const long *sorted, int n) {
  printf("%-22s", what);
  for (int k = 0; k < 4; k++) {
    printf(" p%g %.1f", PERCENTILES[k], at(sorted, n, PERCENTILES[k]) / 1000.0);
  }
  printf(" max %.1f us\n", sorted[n - 1] / 1000.0);
}

int main(int argc, char **argv) {
  int rate = argc > 1 ? atoi(argv[1]) : 200;
  int seconds = argc > 2 ? atoi(argv[2]) : 20;
  int spin = argc > 3 ? atoi(argv[3]) : 0;
  delay_ns = (argc > 4 ? atol(argv[4]) : 2000) * 1000L;
  if (rate <= 0 || seconds <= 0 || delay_ns < 0) {
    fprintf(stderr, "usage: %s [rate>0] [seconds>0] [spin 0|1] [server delay us>=0]\n", argv[0]);
    return 2;
  }
  int n = rate * seconds;
  long *rtt = malloc(sizeof(long) * n);
  long *late = malloc(sizeof(long) * n);
  service = malloc(sizeof(long) * n);

  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  listener = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(listener, (struct sockaddr *)&sa, sizeof sa) || listen(listener, 1)
      || getsockname(listener, (struct sockaddr *)&sa, &len)) {
    perror("listen");
    return 1;
  }
  pthread_t server;
  pthread_create(&server, NULL, serve, NULL);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
    perror("connect");
    return 1;
  }
  no_delay(fd);

  char b[64] = {0};
  long period = 1000000000L / rate;
  long first = now_ns() + 100000000L;
  for (int i = 0; i < n; i++) {
    long due = first + i * period;
    if (spin) {
      while (now_ns() < due) {
      }
    } else {
      sleep_until(due);
    }
    long sent = now_ns();
    late[i] = sent - due;
    send(fd, b, sizeof b, 0);
    if (spin) {
      int got = 0;
      while (got < (int)sizeof b) {
        ssize_t r = recv(fd, b + got, sizeof b - got, MSG_DONTWAIT);
        if (r > 0) {
          got += r;
        }
      }
    } else {
      recv(fd, b, sizeof b, MSG_WAITALL);
    }
    rtt[i] = now_ns() - sent;
  }
  close(fd);
  pthread_join(server, NULL);

  int warm = n / 10, m = n - warm;
  qsort(rtt + warm, m, sizeof(long), by_value);
  qsort(late + warm, m, sizeof(long), by_value);
  qsort(service + warm, m, sizeof(long), by_value);
  printf("%d/s for %d s, %d measured, client %s, server delay %ld us\n", rate, seconds, m,
         spin ? "spinning" : "sleeping", delay_ns / 1000);
  print("round trip", rtt + warm, m);
  print("server service", service + warm, m);
  printf("%-22s", "excess");
  for (int k = 0; k < 4; k++) {
    double p = PERCENTILES[k];
    printf(" p%g %.1f", p, (at(rtt + warm, m, p) - at(service + warm, m, p)) / 1000.0);
  }
  printf(" us\n");
  print("client timer lateness", late + warm, m);
  return 0;
}
