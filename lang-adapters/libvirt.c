// SPDX-License-Identifier: MIT
/*
 * libvirt.c - the libvirt adapter (Debian's libvirt 9.0: 41 sites in
 * libvirt.so.0, 8 in the QEMU driver, 9 in libvirtd).
 *
 * An RPC message's probes, on both ends, all in libvirt.so.0:
 * rpc_client_msg_tx_queue/rx and rpc_server_client_msg_rx/tx_queue(client,
 * len, prog, vers, proc, type, status, serial). A call (type 0) and its
 * reply (type 1) carry the same serial on one connection; a reply's
 * status 1 says the call failed. Procedure names come from libvirtd's own
 * dispatch arrays (rpc_names.h); an array entry is a virNetServerProgramProc
 * (x86-64: 48 bytes, the argument filter at 16, the reply's at 32).
 *
 * The QEMU driver (libvirt_driver_qemu.so, dlopened by libvirtd or
 * virtqemud) sends each QMP command with qemu_monitor_send_msg(mon, json,
 * fd) and gets its reply with qemu_monitor_recv_reply(mon, json): one
 * command at a time per monitor (qemuMonitorSend waits for its reply).
 */
#include "lang.h"

static const struct rpc_program libvirt_progs[] = {
	{ 0x20008086, "xdr_remote_", "REMOTE_PROC_", "connect_open" },
	{ 0x20008087, "xdr_qemu_", "QEMU_PROC_", "domain_monitor_command" },
	{ 0x20008088, "xdr_lxc_", "LXC_PROC_", "domain_open_namespace" },
};

static const struct lang_rpc libvirt_rpc = {
	.obj_arg = 0, .prog_arg = 2, .proc_arg = 4, .type_arg = 5, .status_arg = 6,
	.serial_arg = 7,
	.type_call = 0, .type_reply = 1, .status_error = 1,
	.progs = libvirt_progs,
	.nr_progs = sizeof(libvirt_progs) / sizeof(libvirt_progs[0]),
	.entry_size = 48, .args_off = 16, .ret_off = 32,
	.daemons = { "/usr/sbin/libvirtd", "/usr/sbin/virtqemud", "/usr/sbin/virtproxyd" },
};

const struct lang_adapter lang_libvirt = {
	.lang = "libvirt",
	.runtime = "libvirt.so.0",
	.probes = {
		{ LANG_RPC_CALL_OUT, "libvirt:rpc_client_msg_tx_queue" },
		{ LANG_RPC_REPLY_IN, "libvirt:rpc_client_msg_rx" },
		{ LANG_RPC_CALL_IN, "libvirt:rpc_server_client_msg_rx" },
		{ LANG_RPC_REPLY_OUT, "libvirt:rpc_server_client_msg_tx_queue" },
		{ LANG_MON_SEND, "libvirt:qemu_monitor_send_msg(x,s,d)", NULL,
		  "/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so" },
		{ LANG_MON_REPLY, "libvirt:qemu_monitor_recv_reply(x,s)", NULL,
		  "/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so" },
	},
	.ident = { -1, -1, -1 },
	.style = LANG_NAME_TEXT,
	.alloc_size_arg = -1,
	.forks = true,
	.paths = { "/usr/lib/*-linux-gnu/libvirt.so.0", "/usr/lib64/libvirt.so.0",
		   "/usr/lib/libvirt.so.0" },
	.system_binary = "/usr/lib/x86_64-linux-gnu/libvirt.so.0",
	.rpc = &libvirt_rpc,
};
