// SPDX-License-Identifier: MIT
/*
 * account.cpp - probes in C++: a class method and a function template,
 * through <usdtrace/sdt.h> (<sys/sdt.h> works the same way). Each template
 * instantiation is its own probe site, with its own argument types.
 *
 *   account [-n ITERATIONS]
 */
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <usdtrace/sdt.h>

class Account {
public:
	void deposit(long amount)
	{
		balance_ += amount;
		USDTRACE_PROBE(account, deposit, amount, balance_);
	}

private:
	long balance_ = 0;
};

template <typename T> static T twice(T v)
{
	USDTRACE_PROBE(account, twice, v, sizeof(T));
	return v * 2;
}

int main(int argc, char **argv)
{
	Account acct;
	long n = argc > 2 && argv[1][0] == '-' && argv[1][1] == 'n' ? atol(argv[2]) : 3;
	long sum = 0;

	for (long i = 0; i < n; i++) {
		acct.deposit(i);
		sum += twice(static_cast<int>(i)) + twice(static_cast<unsigned char>(i));
	}
	std::printf("%ld\n", sum);
	return 0;
}
