# profile_app.rb - a CPU-bound Ruby program for `usdtrace profile` to be
# checked against: Work#hot_a and Work#hot_b share the main thread 3:1 and
# Work#sorted spends its time in Array#sort (a C method); each method's
# thread CPU time is measured here and written, with the process's, as
# JSON to ARGV[0].
require "json"

SECONDS_TO_RUN = (ARGV[1] || "3").to_f

class Work
  def initialize
    @spent = Hash.new(0.0)
    @data = Array.new(20_000) { |i| (i * 7919) % 20_011 }
  end

  attr_reader :spent

  def hot_a(n)
    s = 0
    i = 0
    while i < n
      s += i * 7
      i += 1
    end
    s
  end

  def hot_b(n)
    s = 0
    i = 0
    while i < n
      s += i * 3
      i += 1
    end
    s
  end

  def sorted
    @data.sort
  end

  def timed(name)
    t = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID)
    yield
    @spent[name] += Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) - t
  end

  def run
    finish = Process.clock_gettime(Process::CLOCK_MONOTONIC) + SECONDS_TO_RUN
    while Process.clock_gettime(Process::CLOCK_MONOTONIC) < finish
      timed("hot_a") { hot_a(150_000) }
      timed("hot_b") { hot_b(50_000) }
      timed("sort") { 2.times { sorted } }
    end
  end
end

w = Work.new
w.run
out = w.spent.dup
out["process"] = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
File.write(ARGV[0], JSON.generate(out))
