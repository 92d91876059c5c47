# frozencore.rb - what Ruby 3.1's cmethod probes break: the first GC frees
# RubyVM::FrozenCore's class path string, and the alias after it makes ruby
# compute that class path for the probe (core#set_method_alias, line 7): a
# garbage name, or a crash, when cmethod__entry/return are enabled.
GC.start
GC.start
class Foo; def m; end; alias m2 m; end
puts :ok
