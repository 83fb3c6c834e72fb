// SPDX-License-Identifier: GPL-2.0
/*
 * wq_gpio_irq - GPIO interrupt to a workqueue, debounced, every edge counted
 *
 * A driver for a button on a GPIO line (DT: "linux,wq-gpio-irq-sample"),
 * as is on a board (overlay rk3588-rock-5b-plus-wq-button), on QEMU's
 * PL061 or on gpio-sim.
 *
 * The hard IRQ handler only timestamps each edge into a FIFO and re-arms
 * the delayed work with mod_delayed_work(), which thus runs once the line
 * has been quiet for the debounce time.  The FIFO needs no lock: the
 * handler of an interrupt never runs twice at once, nor does a work item.
 * The work drains the FIFO in process context, counts an edge closer than
 * the debounce time to the previous one as debounced and any other as a
 * handled event, and reads the settled line (which may sleep) under a
 * mutex shared with sysfs.  An edge that finds the FIFO full is dropped
 * and counted: at rest, edges == handled + debounced + dropped_fifo_full.
 * devm frees the IRQ before it flushes and disables the work, so an
 * unbind at any moment neither races the handler nor loses an edge.
 *
 * Try it (gpio-sim: a "gpio-simulator" node whose bank the button uses):
 *
 *	modprobe wq_gpio_irq
 *	echo pull-up >/sys/bus/platform/devices/gpio-sim/gpiochip?/sim_gpio0/pull
 *	cd /sys/bus/platform/drivers/wq_gpio_irq/button	# the DT node
 *	grep . edges handled debounced dropped_fifo_full level
 *	echo 0 >/sys/module/wq_gpio_irq/parameters/debounce_ms	# off
 *	echo button >../unbind; rmmod wq_gpio_irq	# safe at any moment
 *
 * Expected output (on loading; devices add "IRQ", "event", "stopped" lines):
 *
 *	wq_gpio_irq: driver for "linux,wq-gpio-irq-sample", debounce_ms=<ms>
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/gpio/consumer.h>
#include <linux/interrupt.h>
#include <linux/kfifo.h>
#include <linux/ktime.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/sched.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#define WQG_FIFO_SIZE		256	/* edges; a power of 2 */
#define WQG_DEBOUNCE_MAX_MS	1000U

static unsigned int debounce_ms = 20;
static bool debounce_forced;	/* debounce_ms was set: it beats the DT */

static int debounce_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 10, &ms) || ms > WQG_DEBOUNCE_MAX_MS) {
		pr_err("debounce_ms: must be 0-%u (ms, 0 = off)\n", WQG_DEBOUNCE_MAX_MS);
		return -EINVAL;
	}
	WRITE_ONCE(debounce_ms, ms);
	WRITE_ONCE(debounce_forced, true);
	return 0;
}

static const struct kernel_param_ops debounce_ms_ops = {
	.set = debounce_ms_set,
	.get = param_get_uint,
};
module_param_cb(debounce_ms, &debounce_ms_ops, &debounce_ms, 0644);
MODULE_PARM_DESC(debounce_ms, "Debounce time in ms, 0 = off; once set it overrides debounce-interval (0-1000, default 20)");

enum { WQG_EDGES, WQG_HANDLED, WQG_DEBOUNCED, WQG_DROPPED_FIFO_FULL, WQG_NR };

struct wqg {
	struct device *dev;
	struct gpio_desc *gpiod;
	int dt_ms;			/* debounce-interval, -1 if none */
	DECLARE_KFIFO(fifo, ktime_t, WQG_FIFO_SIZE);
	struct delayed_work work;
	struct mutex lock;		/* protects last and level */
	ktime_t last;			/* previous edge the work saw */
	int level;			/* settled line value, -1 if unknown */
	atomic_long_t count[WQG_NR];
};

static unsigned int wqg_debounce_ms(const struct wqg *wqg)
{
	if (wqg->dt_ms < 0 || READ_ONCE(debounce_forced))
		return READ_ONCE(debounce_ms);
	return wqg->dt_ms;
}

static irqreturn_t wqg_irq(int irq, void *data)
{
	struct wqg *wqg = data;

	atomic_long_inc(&wqg->count[WQG_EDGES]);
	if (!kfifo_put(&wqg->fifo, ktime_get()))
		atomic_long_inc(&wqg->count[WQG_DROPPED_FIFO_FULL]);
	/* Pushes the work back while the line bounces; safe in hard IRQ. */
	mod_delayed_work(system_percpu_wq, &wqg->work,
			 msecs_to_jiffies(wqg_debounce_ms(wqg)));
	return IRQ_HANDLED;
}

static void wqg_work_fn(struct work_struct *work)
{
	struct wqg *wqg = container_of(to_delayed_work(work), struct wqg, work);
	s64 debounce_ns = (s64)wqg_debounce_ms(wqg) * NSEC_PER_MSEC;
	unsigned int n = kfifo_len(&wqg->fifo), edges = 0, bounces = 0;
	ktime_t ts;

	mutex_lock(&wqg->lock);
	/* Only what is there now: a later edge has queued this work again. */
	for (; n && kfifo_get(&wqg->fifo, &ts); n--, edges++) {
		if (wqg->last && ktime_to_ns(ktime_sub(ts, wqg->last)) < debounce_ns)
			bounces++;
		wqg->last = ts;
	}
	atomic_long_add(edges - bounces, &wqg->count[WQG_HANDLED]);
	atomic_long_add(bounces, &wqg->count[WQG_DEBOUNCED]);
	wqg->level = gpiod_get_value_cansleep(wqg->gpiod);	/* may sleep */
	if (edges)
		dev_info_ratelimited(wqg->dev, "event %ld: %s after %u edges (%u debounced), %lld us after the last, PID %d\n",
				     atomic_long_read(&wqg->count[WQG_HANDLED]),
				     wqg->level < 0 ? "?" : wqg->level ? "pressed" : "released",
				     edges, bounces, ktime_us_delta(ktime_get(), wqg->last),
				     task_pid_nr(current));
	mutex_unlock(&wqg->lock);
}

static void wqg_stop(void *data)
{
	struct wqg *wqg = data;
	atomic_long_t *c = wqg->count;

	/* devm has freed the IRQ already: nothing can queue the work now. */
	flush_delayed_work(&wqg->work);		/* process what is left */
	disable_delayed_work_sync(&wqg->work);
	dev_info(wqg->dev, "stopped: %ld edges = %ld handled + %ld debounced + %ld dropped\n",
		 atomic_long_read(&c[WQG_EDGES]), atomic_long_read(&c[WQG_HANDLED]),
		 atomic_long_read(&c[WQG_DEBOUNCED]), atomic_long_read(&c[WQG_DROPPED_FIFO_FULL]));
}

static ssize_t wqg_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct wqg *wqg = dev_get_drvdata(dev);
	long i = (long)container_of(attr, struct dev_ext_attribute, attr)->var;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(&wqg->count[i]));
}

static struct dev_ext_attribute wqg_count_attrs[] = {
	{ __ATTR(edges, 0444, wqg_count_show, NULL), (void *)WQG_EDGES },
	{ __ATTR(handled, 0444, wqg_count_show, NULL), (void *)WQG_HANDLED },
	{ __ATTR(debounced, 0444, wqg_count_show, NULL), (void *)WQG_DEBOUNCED },
	{ __ATTR(dropped_fifo_full, 0444, wqg_count_show, NULL), (void *)WQG_DROPPED_FIFO_FULL },
};

static ssize_t level_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct wqg *wqg = dev_get_drvdata(dev);

	guard(mutex)(&wqg->lock);
	return sysfs_emit(buf, "%d\n", wqg->level);
}
static DEVICE_ATTR_RO(level);

static struct attribute *wqg_attrs[] = {
	&wqg_count_attrs[WQG_EDGES].attr.attr, &wqg_count_attrs[WQG_HANDLED].attr.attr,
	&wqg_count_attrs[WQG_DEBOUNCED].attr.attr,
	&wqg_count_attrs[WQG_DROPPED_FIFO_FULL].attr.attr, &dev_attr_level.attr, NULL
};
ATTRIBUTE_GROUPS(wqg);

static int wqg_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct wqg *wqg;
	int irq, ret;
	u32 ms;

	wqg = devm_kzalloc(dev, sizeof(*wqg), GFP_KERNEL);
	if (!wqg)
		return -ENOMEM;
	wqg->dev = dev;
	wqg->dt_ms = -1;
	wqg->level = -1;
	INIT_KFIFO(wqg->fifo);
	platform_set_drvdata(pdev, wqg);
	ret = devm_mutex_init(dev, &wqg->lock);
	if (ret)
		return ret;

	if (!device_property_read_u32(dev, "debounce-interval", &ms))
		wqg->dt_ms = min(ms, WQG_DEBOUNCE_MAX_MS);	/* as the binding */
	wqg->gpiod = devm_gpiod_get(dev, "button", GPIOD_IN);
	if (IS_ERR(wqg->gpiod))
		return dev_err_probe(dev, PTR_ERR(wqg->gpiod), "no button-gpios\n");
	irq = gpiod_to_irq(wqg->gpiod);
	if (irq < 0)
		return dev_err_probe(dev, irq, "the line cannot interrupt\n");

	INIT_DELAYED_WORK(&wqg->work, wqg_work_fn);
	ret = devm_add_action_or_reset(dev, wqg_stop, wqg);
	if (ret)
		return ret;
	/* Requested last, so devm frees it first, before wqg_stop() runs. */
	ret = devm_request_irq(dev, irq, wqg_irq, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING,
			       dev_name(dev), wqg);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request IRQ %d\n", irq);

	dev_info(dev, "IRQ %d, debounce %u ms, FIFO of %d edges\n",
		 irq, wqg_debounce_ms(wqg), WQG_FIFO_SIZE);
	return 0;
}

static const struct of_device_id wqg_of_match[] = {
	{ .compatible = "linux,wq-gpio-irq-sample" },
	{ }
};
MODULE_DEVICE_TABLE(of, wqg_of_match);

static struct platform_driver wqg_driver = {
	.probe = wqg_probe,
	.driver = {
		.name = KBUILD_MODNAME,
		.of_match_table = wqg_of_match,
		.dev_groups = wqg_groups,
	},
};

static int __init wqg_init(void)
{
	pr_info("driver for \"linux,wq-gpio-irq-sample\", debounce_ms=%u\n", debounce_ms);
	return platform_driver_register(&wqg_driver);
}

static void __exit wqg_exit(void)
{
	platform_driver_unregister(&wqg_driver);	/* unbinds every device */
}

module_init(wqg_init);
module_exit(wqg_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("GPIO interrupt deferred to a workqueue, with software debounce");
