/**
 * @file referral/common.h
 * @brief Export macro, basic types, memory release and the thread-safety contract.
 *
 * Thread safety: a handle (::rf_store and everything obtained from it) is used by
 * one thread at a time; distinct handles are independent and may be used from
 * different threads at once; rf_error_last() is per thread.
 *
 * Ownership: what a call returns through `T **out` belongs to the caller and is
 * freed with `rf_T_free` (which accepts NULL); records such as ::rf_party stay
 * valid after their store is freed. Iterators borrow their store and must be
 * freed before it.
 */
#ifndef REFERRAL_COMMON_H
#define REFERRAL_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** @def RF_API
 * Marks a function as part of the exported API (everything else is hidden). */
#if defined(_WIN32) && defined(RF_BUILDING_SHARED)
#define RF_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(RF_STATIC)
#define RF_API __declspec(dllimport)
#elif defined(__GNUC__)
#define RF_API __attribute__((visibility("default")))
#else
#define RF_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Seconds since 1970-01-01T00:00:00Z (UTC). */
typedef int64_t rf_time;

/** "No time": a field that was never set (no expiry, not revoked, no first visit). */
#define RF_TIME_NONE ((rf_time)0)

/** In option structs: "leave this time as it is" (updates) or "use the default" (creation). */
#define RF_TIME_UNSET ((rf_time)INT64_MIN)

/** In option structs: an integer field that is not set (see each field). */
#define RF_UNSET (-1)

/** Size of a buffer holding an id: 36 characters of UUID text and the terminator. */
#define RF_ID_BUFSIZE 37

/** Longest accepted length, in bytes, of the text fields a host supplies. */
#define RF_NAME_MAX 200            /**< display names */
#define RF_EXTERNAL_ID_MAX 128     /**< host external ids */
#define RF_EMAIL_MAX 254           /**< e-mail addresses (RFC 5321) */
#define RF_PHONE_INPUT_MAX 40      /**< phone numbers as typed, before normalisation */
#define RF_LABEL_MAX 64            /**< segments, practice ids, channels, short labels */
#define RF_DETAIL_MAX 500          /**< free-text details and reasons */
#define RF_IDEMPOTENCY_KEY_MAX 128 /**< idempotency keys */

/**
 * Release memory the library allocated and handed to the caller as a plain
 * string or buffer. Accepts NULL.
 */
RF_API void rf_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_COMMON_H */
