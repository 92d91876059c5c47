// SPDX-License-Identifier: MIT
/*
 * thrower.cpp - a C++ program that throws and catches: libstdc++'s own
 * probe libstdcxx:throw fires inside __cxa_throw, and
 * `usdtrace trace --stack` shows who threw (check, called by parse,
 * called by main).
 *
 *   thrower [-n TIMES]
 */
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

__attribute__((noinline)) static int check(int v)
{
	if (v % 2 == 0)
		throw std::runtime_error("even: " + std::to_string(v));
	return v * 3;
}

__attribute__((noinline)) static int parse(const char *s)
{
	int v = check(std::atoi(s));

	return v + 1;
}

int main(int argc, char **argv)
{
	int n = argc > 2 && std::string(argv[1]) == "-n" ? std::atoi(argv[2]) : 1, caught = 0;
	long sum = 0;

	/* the results are used: no call becomes a jump that leaves no frame */
	for (int i = 0; i < n; i++) {
		try {
			sum += parse(i % 2 ? "41" : "42");
		} catch (const std::runtime_error &e) {
			caught++;
		}
	}
	std::printf("%d caught, %ld\n", caught, sum);
	return 0;
}
