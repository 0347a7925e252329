# heapq: a discrete-event scheduler, Dijkstra's shortest paths, top-k and k-way merge.
import heapq
import itertools

counter = itertools.count()
events = []


def schedule(time, name, action):
    heapq.heappush(events, (time, next(counter), name, action))


log = []
schedule(5, "backup", "start")
schedule(1, "email", "send")
schedule(3, "report", "build")
schedule(1, "email", "retry")
schedule(8, "backup", "verify")
while events:
    t, _, name, action = heapq.heappop(events)
    log.append(f"t={t} {name}:{action}")
    if action == "build":
        schedule(t + 4, name, "publish")
print("\n".join(log))

graph = {
    "A": {"B": 7, "C": 9, "F": 14}, "B": {"A": 7, "C": 10, "D": 15}, "C": {"A": 9, "B": 10, "D": 11, "F": 2},
    "D": {"B": 15, "C": 11, "E": 6}, "E": {"D": 6, "F": 9}, "F": {"A": 14, "C": 2, "E": 9},
}


def dijkstra(src):
    dist, prev, heap = {src: 0}, {}, [(0, src)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in sorted(graph[u].items()):
            if d + w < dist.get(v, float("inf")):
                dist[v], prev[v] = d + w, u
                heapq.heappush(heap, (d + w, v))
    return dist, prev


dist, prev = dijkstra("A")
path, node = [], "E"
while node != "A":
    path.append(node)
    node = prev[node]
print(sorted(dist.items()), "->".join(["A"] + path[::-1]))
scores = [("ann", 88), ("bob", 95), ("cid", 70), ("dee", 95), ("eve", 60), ("fay", 82)]
print(heapq.nlargest(3, scores, key=lambda s: s[1]), heapq.nsmallest(2, scores, key=lambda s: s[1]))
print(list(heapq.merge([1, 4, 9], [2, 3, 10], [0, 5])), list(heapq.merge("adg", "beh", "cf")))
h = [9, 4, 7, 1, 8]
heapq.heapify(h)
print(h, heapq.heappushpop(h, 3), heapq.heapreplace(h, 0), sorted(h))
