// A native HTTP/1.1 server with a fixed latency, to measure the open-loop engine's own timing error
// without a JVM on the server side (reference-gateway/BENCHMARK.md, "The machine's floor").
//
//   gcc -O2 -pthread -o /tmp/fixed-latency-server load-scenarios/calibration/fixed-latency-server.c
//   /tmp/fixed-latency-server PORT [delay us=2000] [last=0]
//
// One thread per connection, keep-alive. Each request (head, then a Content-Length body) is
// answered `200 {}` after the delay: the thread sleeps until 200 us before the delay ends and spins
// the rest (as the Java FixedLatencyServer). The service time runs from the moment the request is
// complete to the moment the answer is written. On SIGINT or SIGTERM it prints the percentiles of
// the service times of the `last` requests (0: all; the engine's measured phase without its
// warm-up) and exits.
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 4000000

static long delay_ns;
static long last;
static long *service;
static long count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void record(long ns) {
  pthread_mutex_lock(&lock);
  if (count < MAX_SAMPLES) {
    service[count] = ns;
  }
  count++;
  pthread_mutex_unlock(&lock);
}

static const char ANSWER[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

static void *connection(void *arg) {
  int fd = (int)(long)arg;
  sigset_t stop;  // the report runs on the main thread only
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char buf[65536];
  int have = 0;
  for (;;) {
    char *end = memmem(buf, have, "\r\n\r\n", 4);
    if (end == NULL) {
      if (have == (int)sizeof buf) {
        break;  // a head larger than the buffer: not what the engine sends
      }
      ssize_t r = recv(fd, buf + have, sizeof buf - have, 0);
      if (r <= 0) {
        break;
      }
      have += r;
      continue;
    }
    int head = (int)(end - buf) + 4;
    long length = 0;
    for (char *line = buf; line < end;) {
      if (strncasecmp(line, "content-length:", 15) == 0) {
        length = atol(line + 15);
      }
      line = (char *)memmem(line, end + 2 - line, "\r\n", 2) + 2;
    }
    if (length < 0 || head + length > (long)sizeof buf) {
      break;
    }
    while (have < head + length) {
      ssize_t r = recv(fd, buf + have, sizeof buf - have, 0);
      if (r <= 0) {
        goto done;
      }
      have += r;
    }
    long start = now_ns();
    if (delay_ns > 0) {
      long until = start + delay_ns;
      if (delay_ns > 200000) {
        long wake = until - 200000;
        struct timespec ts = {wake / 1000000000L, wake % 1000000000L};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
      }
      while (now_ns() < until) {
      }
    }
    send(fd, ANSWER, sizeof ANSWER - 1, 0);
    record(now_ns() - start);
    memmove(buf, buf + head + length, have - head - length);
    have -= head + length;
  }
done:
  close(fd);
  return NULL;
}

static int by_value(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

static void report(int sig) {
  (void)sig;
  pthread_mutex_lock(&lock);
  long n = count < MAX_SAMPLES ? count : MAX_SAMPLES;
  long from = last > 0 && last < n ? n - last : 0;
  long m = n - from;
  if (m > 0) {
    qsort(service + from, m, sizeof(long), by_value);
    const double ps[] = {10, 50, 90, 99, 99.9};
    printf("%ld requests, %ld measured; service time us:", count, m);
    for (int k = 0; k < 5; k++) {
      printf(" p%g %.1f", ps[k], service[from + (long)(ps[k] / 100 * (m - 1))] / 1000.0);
    }
    printf(" max %.1f\n", service[n - 1] / 1000.0);
  } else {
    printf("%ld requests, none measured\n", count);
  }
  fflush(stdout);
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PORT [delay us=2000] [last=0]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  delay_ns = (argc > 2 ? atol(argv[2]) : 2000) * 1000L;
  last = argc > 3 ? atol(argv[3]) : 0;
  if (port <= 0 || port > 65535 || delay_ns < 0 || last < 0) {
    fprintf(stderr, "usage: %s PORT [delay us>=0] [last>=0]\n", argv[0]);
    return 2;
  }
  service = malloc(sizeof(long) * MAX_SAMPLES);
  signal(SIGINT, report);
  signal(SIGTERM, report);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons(port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(listener, (struct sockaddr *)&sa, sizeof sa) || listen(listener, 512)) {
    perror("listen");
    return 1;
  }
  printf("listening on 127.0.0.1:%d, delay %ld us\n", port, delay_ns / 1000);
  fflush(stdout);
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) {
      continue;
    }
    pthread_t t;
    pthread_create(&t, NULL, connection, (void *)(long)fd);
    pthread_detach(t);
  }
}
