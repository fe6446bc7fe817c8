/* Intrusive doubly linked lists with a sentinel head. */
#ifndef VTUN_UTIL_LIST_H
#define VTUN_UTIL_LIST_H

#include <stddef.h>

struct vtun__list {
  struct vtun__list *prev, *next;
};

static inline void vtun__list_init(struct vtun__list *head) {
  head->prev = head->next = head;
}

static inline int vtun__list_empty(const struct vtun__list *head) {
  return head->next == head;
}

static inline void vtun__list_append(struct vtun__list *head,
                                     struct vtun__list *item) {
  item->prev = head->prev;
  item->next = head;
  head->prev->next = item;
  head->prev = item;
}

static inline void vtun__list_remove(struct vtun__list *item) {
  item->prev->next = item->next;
  item->next->prev = item->prev;
  item->prev = item->next = item;
}

#define vtun__container_of(ptr, type, member)                                  \
  ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Iterates over a list of `type` linked through `member` `link`. */
#define vtun__list_each(var, head, type)                                       \
  for (type *var = vtun__container_of((head)->next, type, link);               \
       &var->link != (head);                                                   \
       var = vtun__container_of(var->link.next, type, link))

/* The same, safe against removal of the current item. */
#define vtun__list_each_safe(var, nxt, head, type)                             \
  for (type *var = vtun__container_of((head)->next, type, link),               \
            *nxt = vtun__container_of(var->link.next, type, link);             \
       &var->link != (head);                                                   \
       var = nxt, nxt = vtun__container_of(nxt->link.next, type, link))

#endif
