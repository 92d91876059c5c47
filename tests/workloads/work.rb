# work.rb - a deterministic Ruby workload for `usdtrace calls/flow/stat`:
# Work#main calls Work#middle 100 times, each middle calls Work#leaf 35 times
# (3500 leaf calls), then a forced GC.start. An argument changes the 100.
#
# Since Ruby 2.5, method__entry/return fire for Ruby methods only while a
# TracePoint is enabled (ruby bug #14582): the workload enables one.
TracePoint.new(:call, :return) {}.enable
class Work
  def leaf(i)
    i * 2
  end

  def middle(n)
    total = 0
    35.times { |i| total += leaf(i) }
    total + n
  end

  def main
    total = 0
    (ARGV[0] || 100).to_i.times { |n| total += middle(n) }
    GC.start
    $stderr.puts total
  end
end

Work.new.main
