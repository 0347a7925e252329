/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), small and dependency-free: it names guest images and checks snapshots.
 * Not constant-time and not meant for secrets. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32u
#define SHA256_BLOCK_SIZE  64u

typedef struct Sha256 {
        uint32_t state[8];
        uint64_t length; /* bytes hashed so far */
        uint8_t buffer[SHA256_BLOCK_SIZE];
        size_t buffered;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t size);
/* Writes the digest; `s` must be initialized again before reuse. */
void sha256_final(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]);
/* One-shot. */
void sha256_buffer(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]);
/* 64 lowercase hex digits and a NUL into `ret`. */
void sha256_to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret[SHA256_DIGEST_SIZE * 2 + 1]);
